"""`prover serve`: the verifiers over HTTP (FastAPI under uvicorn); see `app.py`."""
