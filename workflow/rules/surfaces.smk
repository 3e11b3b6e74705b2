# surfaces stage: see the issue that builds it.
