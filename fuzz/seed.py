#!/usr/bin/env python3
"""Write the seed corpora of every fuzz target under fuzz/corpus/ (git-ignored).

Seeds are real files: a pack and its index made by `git` in a temporary repository (with
deltas), that repository's trees and commits, the project's rule files, its documented
configuration, the Kubernetes Secret manifests of the fixtures, and the fixture project's files.
Chunked inputs use the format of `keyaudit::source::git::fuzz::chunks`: 4-byte little-endian
length, then the bytes. Run from the repository's top: `python3 fuzz/seed.py`.
"""
import json
import os
import pathlib
import shutil
import struct
import subprocess
import tempfile

TOP = pathlib.Path(__file__).resolve().parent.parent
CORPUS = TOP / "fuzz" / "corpus"
MAX_SEED = 64 * 1024


def chunks(*parts):
    return b"".join(struct.pack("<I", len(p)) + p for p in parts)


def git(repo, *args, stdin=None):
    env = dict(os.environ, GIT_AUTHOR_DATE="2021-03-04T05:06:07Z",
               GIT_COMMITTER_DATE="2021-03-04T05:06:07Z", GIT_CONFIG_GLOBAL="/dev/null",
               GIT_CONFIG_NOSYSTEM="1")
    return subprocess.run(["git", "-C", str(repo), *args], input=stdin, env=env,
                          capture_output=True, check=True).stdout


def make_repo(tmp, name, versions):
    """A repository whose files change a little per commit, so that `git gc` stores deltas."""
    repo = tmp / name
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    git(repo, "config", "user.name", "Fuzz Seed")
    git(repo, "config", "user.email", "seed@example.com")
    for v in range(versions):
        (repo / "src").mkdir(exist_ok=True)
        lines = [f"line {i} of a config file that changes a little\n" for i in range(60)]
        lines[v * 7 % 60] = f"password = \"changed-in-version-{v}\"\n"
        (repo / "src" / "app.conf").write_text("".join(lines))
        (repo / f"notes-{v % 3}.md").write_text(f"notes, version {v}\n" * (v + 1))
        git(repo, "add", "-A")
        git(repo, "commit", "-q", "-m", f"version {v}")
    git(repo, "gc", "-q", "--aggressive", "--prune=now")
    return repo


def pack_pair(repo):
    pack_dir = repo / ".git" / "objects" / "pack"
    idx = sorted(pack_dir.glob("*.idx"))[0]
    return idx.read_bytes(), idx.with_suffix(".pack").read_bytes()


def write(target, name, data):
    if len(data) > MAX_SEED:
        return
    out = CORPUS / target
    out.mkdir(parents=True, exist_ok=True)
    (out / name).write_bytes(data)


def git_seeds(tmp):
    small = make_repo(tmp, "small", 2)
    deltas = make_repo(tmp, "deltas", 12)
    for name, repo in (("small", small), ("deltas", deltas)):
        write("git_pack", name, chunks(*pack_pair(repo)))
    write("git_pack", "two-packs", chunks(*pack_pair(small), *pack_pair(deltas)))
    commits = git(deltas, "rev-list", "main").decode().split()
    for n, (commit, parent) in enumerate(zip(commits, commits[1:])):
        objects = [git(deltas, "cat-file", "tree", f"{c}^{{tree}}") for c in (commit, parent)]
        objects.append(git(deltas, "cat-file", "tree", f"{commit}:src"))
        objects.append(git(deltas, "cat-file", "commit", commit))
        write("git_objects", f"commit-{n}", bytes([n % 3]) + chunks(*objects))


def file_seeds():
    for rules in sorted((TOP / "rules").glob("*.toml")):
        write("rule_file", rules.name, rules.read_bytes())
    write("config", "keyaudit.toml", (TOP / "docs" / "keyaudit.toml").read_bytes())
    # The README's TOML examples: configuration and rule snippets both.
    blocks = (TOP / "README.md").read_text().split("```toml\n")[1:]
    for n, block in enumerate(blocks):
        text = block.split("```")[0].encode()
        write("config", f"readme-{n}.toml", text)
        write("rule_file", f"readme-{n}.toml", text)
    manifests = [p for p in (TOP / "fixtures").rglob("*.yaml") if b"Secret" in p.read_bytes()
                 or b"secretGenerator" in p.read_bytes()]
    for p in manifests:
        write("k8s_secret", p.name, p.read_bytes())
        write("engine", p.name, p.read_bytes())
    secret = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "db"},
              "data": {"password": "c2VlZC1wYXNzd29yZC0xMjM0NQ=="},
              "stringData": {"token": "seed-token-value-67890"}}
    write("k8s_secret", "secret.json", json.dumps(secret, indent=2).encode())
    for p in sorted((TOP / "fixtures").rglob("*")):
        if p.is_file() and p.suffix not in (".py", ".sh", ".tsv"):
            rel = p.relative_to(TOP / "fixtures").as_posix()
            write("engine", rel.replace("/", "_"), rel.encode() + b"\0" + p.read_bytes())


def main():
    tmp = pathlib.Path(tempfile.mkdtemp(prefix="keyaudit-seed-", dir="/dev/shm"
                                        if os.path.isdir("/dev/shm") else None))
    try:
        git_seeds(tmp)
    finally:
        shutil.rmtree(tmp)
    file_seeds()
    for target in sorted(CORPUS.iterdir()):
        print(f"{target.name}: {len(list(target.iterdir()))} seeds")


if __name__ == "__main__":
    main()
