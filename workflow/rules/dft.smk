# dft stage
