# Convergence of ω_11 and ω_12 against in-plane supercell size, slab thickness and k-point density.
# Each variant is the whole chain of the system under the id "{system}.conv-{param}-{value}".


rule convergence_omega:
    input:
        base="results/thermo/{system}/tc.json",
        variants=lambda w: [f"results/thermo/{v}/tc.json" for v, _, _ in afcampaign.convergence_variants(config, w.system)],
        descriptors=lambda w: [f"results/interfaces/{v}/descriptors.json" for v, _, _ in afcampaign.convergence_variants(config, w.system)],
    output:
        csv="results/convergence/{system}/omega.csv",
        plot="results/convergence/{system}/omega.png",
    wildcard_constraints:
        system=r"[A-Za-z0-9_\-]+(__[A-Za-z0-9_\-]+)?",
    params:
        variants=lambda w: afcampaign.convergence_variants(config, w.system),
        preset=lambda w: afcampaign.science(afcampaign.preset(config)),
    conda:
        "../../envs/analysis.yaml"
    run:
        from anodeflow import convergence

        convergence.run(wildcards.system, params.variants, input.base, input.variants, input.descriptors,
                        params.preset, output.csv, output.plot)
