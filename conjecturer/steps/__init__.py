"""The steps of a self-play round; each module's `run(round)` does its step (see `conjecturer.rounds`)."""
