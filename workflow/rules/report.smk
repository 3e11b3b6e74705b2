# report stage: see the issue that builds it.
