"""The catalog: atomic simulation on demand, fingerprints, manifests, verify (one flipped byte) and fetch."""
from __future__ import annotations

import time

import pytest

from neurokit.catalog import registry
from neurokit.catalog._base import Dataset
from neurokit.catalog.cli import configure
from neurokit.data.checksums import check_checksums
from neurokit.data.manifests import check_present, list_manifests, load_manifest, parse_manifest, verify_files
from neurokit.errors import DataError, UnknownNameError


def _tiny_sim(root, profile, seed=0, data_home=None):
    (root / "sub").mkdir()
    (root / "sub" / "a.bin").write_bytes(bytes([seed % 256]) * 100)
    (root / "b.txt").write_text(f"{profile}-{seed}")


def _crashing_sim(root, profile, seed=0, data_home=None):
    (root / "half.bin").write_bytes(b"x" * 10)
    raise RuntimeError("simulator crashed")


@pytest.fixture
def dummy(monkeypatch):
    monkeypatch.setitem(registry.DATASETS, "dummy", Dataset("dummy", "Dummy", _tiny_sim, _tiny_sim, sim_version=1))
    return "dummy"


def test_unknown_data_set_is_refused_with_suggestions():
    with pytest.raises(UnknownNameError, match="unknown data set 'algonauts'.*Did you mean: algonauts2021"):
        registry.ensure("algonauts", "smoke")
    with pytest.raises(UnknownNameError, match="profile"):
        registry.ensure("algonauts2021", "tiny")


def test_ensure_simulates_once_with_checksums(dummy, tmp_path):
    root = registry.ensure(dummy, "smoke", data_home=tmp_path)
    assert root == tmp_path / "simulated" / "smoke" / "dummy"
    assert (root / "checksums.json").is_file() and (root / "simulation.json").is_file()
    assert check_checksums(root) == []
    fp = registry.fingerprint(dummy, "smoke", data_home=tmp_path)
    mtime = (root / "b.txt").stat().st_mtime_ns
    time.sleep(0.01)
    assert registry.ensure(dummy, "smoke", data_home=tmp_path) == root
    assert (root / "b.txt").stat().st_mtime_ns == mtime  # not re-simulated
    assert registry.fingerprint(dummy, "smoke", data_home=tmp_path) == fp
    other = registry.ensure(dummy, "smoke", data_home=tmp_path, seed=3)
    assert other.name == "dummy-seed3" and registry.fingerprint(dummy, "smoke", tmp_path, seed=3) != fp


def test_fingerprint_of_absent_data_changes_once_present(dummy, tmp_path):
    before = registry.fingerprint(dummy, "embedded", data_home=tmp_path)
    assert before.startswith("absent:")
    registry.ensure(dummy, "embedded", data_home=tmp_path)
    assert registry.fingerprint(dummy, "embedded", data_home=tmp_path) != before


def test_a_crash_leaves_no_half_data_set(monkeypatch, tmp_path):
    monkeypatch.setitem(registry.DATASETS, "crashy", Dataset("crashy", "Crashy", _crashing_sim, _tiny_sim))
    with pytest.raises(RuntimeError, match="crashed"):
        registry.ensure("crashy", "smoke", data_home=tmp_path)
    parent = tmp_path / "simulated" / "smoke"
    assert not (parent / "crashy").exists()
    assert [p.name for p in parent.iterdir() if not p.name.endswith(".lock")] == []


def test_new_simulator_version_resimulates(dummy, tmp_path, monkeypatch):
    import dataclasses

    root = registry.ensure(dummy, "smoke", data_home=tmp_path)
    (root / "b.txt").write_text("stale")
    monkeypatch.setitem(registry.DATASETS, "dummy", dataclasses.replace(registry.DATASETS["dummy"], sim_version=2))
    registry.ensure(dummy, "smoke", data_home=tmp_path)
    assert (root / "b.txt").read_text() == "smoke-0"


def test_verify_detects_one_flipped_byte_in_a_real_data_file(tmp_path, capsys):
    root = registry.ensure("algonauts2021", "smoke", data_home=tmp_path)
    target = root / "participants_data_v2021" / "mini_track" / "sub02" / "LOC.pkl"
    data = bytearray(target.read_bytes())
    data[len(data) // 2] ^= 0x01
    target.write_bytes(bytes(data))
    problems = check_checksums(root)
    assert len(problems) == 1 and "sub02/LOC.pkl: sha256 mismatch" in problems[0]
    # the CLI reports it and exits 1
    import argparse

    parser = configure(argparse.ArgumentParser())
    args = parser.parse_args(["verify", "algonauts2021", "--profile", "smoke", "--data-home", str(tmp_path)])
    assert args.func(args) == 1
    out = capsys.readouterr().out
    assert "1 problem(s)" in out and "LOC.pkl: sha256 mismatch" in out and "simulate --force" in out
    registry.ensure("algonauts2021", "smoke", data_home=tmp_path, force=True)
    assert check_checksums(root) == []
    target.write_bytes(bytes(data))  # damage it again for the missing/extra checks below
    target.unlink()
    (root / "extra.txt").write_text("?")
    problems = check_checksums(root)
    assert any("LOC.pkl: missing" in p for p in problems) and any("extra.txt: unexpected" in p for p in problems)


def test_cli_simulate_list_and_verify_ok(tmp_path, capsys, dummy):
    import argparse

    parser = configure(argparse.ArgumentParser())
    args = parser.parse_args(["simulate", "--profile", "smoke", "--data-home", str(tmp_path), "dummy"])
    assert args.func(args) == 0
    args = parser.parse_args(["verify", "dummy", "--profile", "smoke", "--data-home", str(tmp_path)])
    assert args.func(args) == 0 and "OK" in capsys.readouterr().out
    args = parser.parse_args(["list", "--data-home", str(tmp_path)])
    assert args.func(args) == 0
    out = capsys.readouterr().out
    assert "algonauts2021" in out and "cc2017" in out
    args = parser.parse_args(["simulate", "--profile", "paper"])
    assert args.func(args) == 2


def test_all_manifests_are_valid_and_match_the_registry():
    assert set(list_manifests()) == set(registry.DATASETS)
    for name in registry.DATASETS:
        m = load_manifest(name)
        assert m.name == name and m.citation_key in m.bibtex and m.chapters and m.keeps and m.leaves_out
        assert all(f.sha256_source in ("published", "recorded-at-first-verified-fetch", "unknown") for f in m.files)


GOOD = """
name: x
title: X
url: https://example.org
licence: CC0
citation: {key: k, bibtex: "@misc{k}"}
access: by hand
chapters: [c]
simulation: {keeps: [a], leaves_out: [b]}
files:
  - path: a.bin
    size: 3
    sha256: %s
    sha256_source: published
"""


@pytest.mark.parametrize("bad,match", [
    ("name: x\n", "missing required key"),
    ("[1, 2", "not valid YAML"),
    (GOOD % ("0" * 63), "64 lowercase hex"),
    (GOOD.replace("published", "guessed") % ("0" * 64), "sha256_source 'guessed'"),
    (GOOD.replace("url: https://example.org\n", "") % ("0" * 64), "doi' and 'url'"),
    (GOOD.replace("- path: a.bin", "- pattern: '*.bin'") % ("0" * 64), "needs an integer 'count'"),
])
def test_malformed_manifests_are_refused(bad, match):
    with pytest.raises(DataError, match=f"malformed data manifest bad.yaml: .*{match}"):
        parse_manifest(bad, "bad.yaml")


def test_manifest_hash_check_detects_a_flipped_byte(tmp_path, monkeypatch):
    import hashlib

    content = b"abc"
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "a.bin").write_bytes(content)
    mdir = tmp_path / "manifests"
    mdir.mkdir()
    (mdir / "x.yaml").write_text(GOOD % hashlib.sha256(content).hexdigest())
    monkeypatch.setenv("NEUROKIT_MANIFESTS", str(mdir))
    assert verify_files("x", tmp_path / "x") == []
    (tmp_path / "x" / "a.bin").write_bytes(b"abd")
    assert "sha256 mismatch" in verify_files("x", tmp_path / "x")[0]
    (tmp_path / "x" / "a.bin").write_bytes(b"abcd")
    assert any("size 4 bytes, expected 3" in p for p in verify_files("x", tmp_path / "x"))


def test_paper_profile_without_files_says_what_is_missing_and_how(tmp_path):
    with pytest.raises(DataError) as exc:
        registry.ensure("algonauts2021", "paper", data_home=tmp_path)
    msg = str(exc.value)
    assert "missing participants_data_v2021/mini_track/sub01/V1.pkl" in msg
    assert "AlgonautsVideos268_All_30fpsmax/*.mp4: found 0 file(s), expected 1102" in msg
    assert "registration" in msg or "request form" in msg
    with pytest.raises(DataError, match="missing 20150423_90/MOVIE01_zarr"):
        check_present("vist_retina", tmp_path / "vist_retina")


def test_fetch_without_network_fails_fast_with_manual_instructions(tmp_path, capsys):
    import argparse

    parser = configure(argparse.ArgumentParser())
    for name, hint in (("cc2017", "huggingface-cli download"), ("algonauts2021", "no direct download")):
        t0 = time.perf_counter()
        args = parser.parse_args(["fetch", name, "--timeout", "2", "--data-home", str(tmp_path)])
        assert args.func(args) == 1
        assert time.perf_counter() - t0 < 10
        err = capsys.readouterr().err
        assert hint in err and f"data_manifests/{name}.yaml" in err


def test_fingerprint_is_reproducible_across_data_homes(dummy, tmp_path):
    registry.ensure(dummy, "smoke", data_home=tmp_path / "a")
    registry.ensure(dummy, "smoke", data_home=tmp_path / "b")
    assert registry.fingerprint(dummy, "smoke", tmp_path / "a") == registry.fingerprint(dummy, "smoke", tmp_path / "b")


def test_pooch_registry_lists_the_manifest_files(tmp_path):
    pup = __import__("neurokit.data.manifests", fromlist=["pooch_registry"]).pooch_registry("cc2017", tmp_path)
    assert "subj01_train_fmri.pt" in pup.registry and pup.base_url.startswith("https://huggingface.co/")
    with pytest.raises(DataError, match="no direct download"):
        __import__("neurokit.data.manifests", fromlist=["pooch_registry"]).pooch_registry("algonauts2021", tmp_path)


def test_verify_with_nothing_present_says_so_and_fails(tmp_path, capsys):
    import argparse

    parser = configure(argparse.ArgumentParser())
    for profile in ("paper", "embedded"):
        args = parser.parse_args(["verify", "--profile", profile, "--data-home", str(tmp_path / "empty")])
        assert args.func(args) == 1
        captured = capsys.readouterr()
        assert "nothing was verified" in captured.err and "absent" in captured.out
