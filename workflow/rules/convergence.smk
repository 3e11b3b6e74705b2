# Stage 6: convergence of ω_11 and ω_12 against in-plane supercell size, slab thickness and k-point
# density. Each variant is the whole chain of the system under the id "{system}.conv-{param}-{value}".
# Science in anodeflow.thermo.convergence.


rule convergence_omega:
    input:
        base="results/thermo/{system}/tc.json",
        base_descriptors="results/interfaces/{system}/descriptors.json",
        variants=convergence_variant_paths("results/thermo/{}/tc.json"),
        descriptors=convergence_variant_paths("results/interfaces/{}/descriptors.json"),
    output:
        csv="results/convergence/{system}/omega.csv",
        # T_c spread over the largest settings of each parameter: the T_c table's convergence error
        # (for the systems of convergence.systems)
        spread="results/convergence/{system}/tc_spread.json",
        plot=report("results/convergence/{system}/omega.png", caption="../report/convergence.rst",
                    category="3. Vacancy thermodynamics", subcategory="{system}",
                    labels={"system": "{system}", "figure": "convergence of ω"}),
    wildcard_constraints:
        system=r"[A-Za-z0-9_\-]+(__[A-Za-z0-9_\-]+)?",
    log:
        "logs/convergence/{system}.log",
    params:
        spec=convergence_spec,
    conda:
        "../../envs/analysis.yaml"
    shell:
        "python -m anodeflow.thermo.jobs convergence --system {wildcards.system} --spec {params.spec:q} "
        "--base {input.base} --base-descriptors {input.base_descriptors} --variants {input.variants} --descriptors {input.descriptors} "
        "--csv {output.csv} --plot {output.plot} --spread {output.spread} > {log} 2>&1"
