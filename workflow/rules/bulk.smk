# bulk stage
