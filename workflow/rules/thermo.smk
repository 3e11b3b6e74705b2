# thermo stage
