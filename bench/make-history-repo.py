#!/usr/bin/env python3
"""Generate a reproducible git repository with a long, realistic history and planted secrets.

    python3 bench/make-history-repo.py OUTDIR [--seed 1] [--commits 6000] [--files 2500] [--force]

Builds OUTDIR (a normal repository, branch `main` checked out) through `git fast-import`:
thousands of backdated commits by a few dozen authors with realistic churn (edits of a few
lines in a few files, new files, deletions, renames, the odd sweeping refactor), topic branches
merged back with merge commits, a few unmerged branches and remote-tracking refs, and tags.
With the defaults that is about 6,000 commits and a few hundred MB of distinct blob content
(source-like text), packed by `git gc`.

Fake secrets in real formats (GitHub tokens with valid checksums, AWS key pairs, Slack and
Stripe tokens, database URLs with passwords) are planted along the way; most are removed again
some commits later, so they exist only in history. The manifest goes NEXT TO the repository:
OUTDIR.planted.json = {"seed", "commits", "planted": [{"type", "secret", "path", "added_in",
"removed_in"}]} (commit indices in creation order; removed_in is null for secrets still at HEAD).

Everything derives from --seed: the same arguments give the same commits, byte for byte.
Standard library only; every secret is random, none is a real credential.
"""
import argparse
import json
import os
import random
import shutil
import string
import subprocess
import sys
import zlib

B62 = string.digits + string.ascii_uppercase + string.ascii_lowercase

WORDS = """account address adapter amount archive batch bucket buffer builder cache cart channel
checkout client cluster column config connection context counter coupon customer dataset device
digest document domain driver email endpoint entry event export factory feature field filter
gateway handler header index invoice item job layout ledger limit listener loader locale
logger mapper member message metric module node notice order owner package page parser payload
payment plan policy pool price profile provider query queue quota record region registry report
request resolver resource response result retry role route rule schedule schema scope session
shipment signal snapshot socket source state status storage store stream subscription summary
table task template tenant theme ticket timer topic tracker transaction upload user value
vendor version view volume warehouse webhook widget worker zone""".split()
VERBS = """add apply build check clean close compute convert create decode delete emit encode ensure
fetch filter find flush format handle init load lookup merge normalize open parse prepare process
publish read refresh register remove render reset resolve retry save scan send serialize set
sort split start stop store sync track update upload validate verify write""".split()
TYPES = "int str bool float dict list bytes None Optional Any".split()
DIRS = """api app cli core db docs internal lib models pkg plugins scripts server services shared
tests tools ui utils web worker config migrations handlers""".split()
EXTS = [".py", ".py", ".py", ".js", ".ts", ".go", ".rb", ".java", ".md", ".yml", ".json", ".sh"]
AUTHORS = [(f"{f} {l}", f"{f.lower()}.{l.lower()}@example.{d}") for f, l, d in [
    ("Ada", "Lovelace", "org"), ("Alan", "Turing", "com"), ("Grace", "Hopper", "net"), ("Linus", "Torvalds", "org"),
    ("Margaret", "Hamilton", "com"), ("Ken", "Thompson", "org"), ("Dennis", "Ritchie", "com"), ("Barbara", "Liskov", "net"),
    ("Edsger", "Dijkstra", "org"), ("Donald", "Knuth", "com"), ("Frances", "Allen", "org"), ("John", "Backus", "net"),
    ("Radia", "Perlman", "com"), ("Leslie", "Lamport", "org"), ("Tony", "Hoare", "net"), ("Niklaus", "Wirth", "com"),
    ("Katherine", "Johnson", "org"), ("Guido", "Rossum", "com"), ("Bjarne", "Stroustrup", "net"), ("Anita", "Borg", "org"),
    ("Jean", "Sammet", "com"), ("Adele", "Goldberg", "net"), ("Ward", "Cunningham", "org"), ("Hedy", "Lamarr", "com"),
]]
START = 1_420_070_400  # 2015-01-01T00:00:00Z


def ident(rng, n=2):
    return "_".join(rng.choice(WORDS) for _ in range(n))


def camel(rng):
    return "".join(w.capitalize() for w in (rng.choice(WORDS), rng.choice(WORDS)))


def sentence(rng):
    words = [rng.choice(WORDS + VERBS) for _ in range(rng.randint(4, 11))]
    return " ".join(words).capitalize() + "."


def code_line(rng):
    """One line of Python-flavoured source, which is what most repositories are made of."""
    k = rng.random()
    ind = "    " * rng.choice([0, 1, 1, 2, 2, 2, 3])
    if k < 0.16:
        return f"{ind}{ident(rng)} = {rng.choice(VERBS)}_{ident(rng, 1)}({ident(rng, 1)}, {ident(rng, 1)})"
    if k < 0.26:
        return f"{ind}if {ident(rng, 1)}.{ident(rng, 1)} is None:"
    if k < 0.34:
        return f"{ind}return {rng.choice(VERBS)}_{ident(rng, 1)}({ident(rng, 1)})"
    if k < 0.42:
        return f"{ind}# {sentence(rng)}"
    if k < 0.48:
        return f'{ind}logger.{rng.choice(["debug", "info", "warning"])}("{sentence(rng)}")'
    if k < 0.56:
        args = ", ".join(f"{ident(rng, 1)}: {rng.choice(TYPES)}" for _ in range(rng.randint(0, 4)))
        return f"def {rng.choice(VERBS)}_{ident(rng)}({args}) -> {rng.choice(TYPES)}:"
    if k < 0.60:
        return f"class {camel(rng)}({camel(rng)}):"
    if k < 0.68:
        return f"{ind}for {ident(rng, 1)} in self.{ident(rng)}.{rng.choice(VERBS)}():"
    if k < 0.74:
        return f'{ind}{ident(rng, 1)}["{ident(rng, 1)}"] = {rng.randint(0, 10_000)}'
    if k < 0.80:
        return f"{ind}raise {camel(rng)}Error(f\"{sentence(rng)} {{{ident(rng, 1)}}}\")"
    if k < 0.86:
        return ""
    return f"{ind}self.{ident(rng)} = {ident(rng, 1)}.{rng.choice(VERBS)}({rng.randint(0, 99)})"


def new_file(rng):
    n = max(8, int(rng.lognormvariate(5.2, 0.9)))  # median ~180 lines, ~7 KB; long tail
    return [code_line(rng) for _ in range(min(n, 6000))]


def crc_b62(body):
    n = zlib.crc32(body.encode())
    out = ""
    for _ in range(6):
        out = B62[n % 62] + out
        n //= 62
    return out


def rs(rng, alphabet, n):
    return "".join(rng.choice(alphabet) for _ in range(n))


def make_secret(rng):
    """(type, line to plant, secret)."""
    typ = rng.choice(["github-pat", "aws", "slack", "stripe", "postgres", "password"])
    if typ == "github-pat":
        body = rs(rng, B62, 30)
        s = "ghp_" + body + crc_b62(body)
        return typ, f'GITHUB_TOKEN = "{s}"', s
    if typ == "aws":
        kid = "AKIA" + rs(rng, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16)
        secret = rs(rng, B62 + "/+", 40)
        return typ, f'aws_access_key_id = "{kid}"\naws_secret_access_key = "{secret}"', kid
    if typ == "slack":
        s = f"xoxb-{rng.randint(1, 9)}{rs(rng, string.digits, 11)}-{rng.randint(1, 9)}{rs(rng, string.digits, 12)}-{rs(rng, B62, 24)}"
        return typ, f'SLACK_BOT_TOKEN = "{s}"', s
    if typ == "stripe":
        s = "sk_live_" + rs(rng, B62, 34)
        return typ, f'stripe.api_key = "{s}"', s
    if typ == "postgres":
        pw = rs(rng, B62, 16)
        return typ, f'DATABASE_URL = "postgres://app:{pw}@db.internal:5432/app"', pw
    pw = rng.choice(string.ascii_letters) + rs(rng, B62 + "!%*-_", 17)
    return typ, f'db_password = "{pw}"', pw


class Stream:
    """Writes a fast-import stream."""

    def __init__(self, out):
        self.out = out
        self.mark = 0

    def data(self, b):
        self.out.write(b"data %d\n" % len(b))
        self.out.write(b)
        self.out.write(b"\n")

    def commit(self, ref, who, when, message, parents, changes):
        self.mark += 1
        name, email = who
        self.out.write(f"commit {ref}\nmark :{self.mark}\n".encode())
        self.out.write(f"author {name} <{email}> {when} +0000\n".encode())
        self.out.write(f"committer {name} <{email}> {when} +0000\n".encode())
        self.data(message.encode())
        if parents:
            self.out.write(f"from :{parents[0]}\n".encode())
            for p in parents[1:]:
                self.out.write(f"merge :{p}\n".encode())
        for kind, path, content in changes:
            if kind == "D":
                self.out.write(f"D {path}\n".encode())
            else:
                self.out.write(f"M 100644 inline {path}\n".encode())
                self.data(content)
        self.out.write(b"\n")
        return self.mark

    def ref(self, ref, mark):
        self.out.write(f"reset {ref}\nfrom :{mark}\n\n".encode())


def render(lines):
    return ("\n".join(lines) + "\n").encode()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("outdir")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--commits", type=int, default=6000)
    ap.add_argument("--files", type=int, default=2500)
    ap.add_argument("--secrets", type=int, default=60)
    ap.add_argument("--force", action="store_true")
    a = ap.parse_args()
    rng = random.Random(a.seed)
    out = os.path.abspath(a.outdir)
    if os.path.exists(out):
        if not a.force:
            sys.exit(f"{out} exists (use --force)")
        shutil.rmtree(out)
    os.makedirs(out)
    env = dict(os.environ, GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL=os.devnull)
    subprocess.run(["git", "init", "-q", "-b", "main", out], check=True, env=env)
    fi = subprocess.Popen(["git", "fast-import", "--quiet", "--depth=50"], cwd=out, stdin=subprocess.PIPE, env=env)
    st = Stream(fi.stdin)

    # The model: path -> list of lines, per branch.
    main_tree = {}
    dirs = [f"{rng.choice(DIRS)}/{rng.choice(DIRS)}" for _ in range(max(4, a.files // 40))]

    def new_path(tree):
        while True:
            p = f"{rng.choice(dirs)}/{rng.choice(VERBS)}_{ident(rng, 1)}{rng.choice(EXTS)}"
            if p not in tree:
                return p

    when = START
    planted, live = [], {}  # live: secret index -> (path, line text)
    secret_at = set(rng.sample(range(10, a.commits - 10), min(a.secrets, max(0, a.commits - 20))))
    commit_no = 0

    def edit(tree, changes, path):
        lines = list(tree[path])
        for _ in range(rng.choice([1, 1, 1, 2, 2, 3, 5])):
            at = rng.randrange(len(lines) + 1)
            op = rng.random()
            if op < 0.45 and lines:
                lines[min(at, len(lines) - 1)] = code_line(rng)
            elif op < 0.8:
                lines[at:at] = [code_line(rng) for _ in range(rng.randint(1, 12))]
            elif len(lines) > 10:
                del lines[at:at + rng.randint(1, 8)]
        tree[path] = lines
        changes.append(("M", path, render(lines)))

    def step(tree, tip, ref, parents_extra=(), message=None, sweeping=False):
        nonlocal when, commit_no
        changes = []
        if not tree:
            for _ in range(a.files):
                p = new_path(tree)
                tree[p] = new_file(rng)
                changes.append(("M", p, render(tree[p])))
        else:
            n = rng.randint(40, 120) if sweeping else rng.choice([1, 1, 1, 2, 2, 3, 4, 6, 9])
            for _ in range(n):
                r = rng.random()
                paths = list(tree)
                if r < 0.80 or len(paths) < 50:
                    edit(tree, changes, rng.choice(paths))
                elif r < 0.90:
                    p = new_path(tree)
                    tree[p] = new_file(rng)
                    changes.append(("M", p, render(tree[p])))
                elif r < 0.95:
                    p = rng.choice(paths)
                    del tree[p]
                    changes.append(("D", p, None))
                else:  # rename, sometimes with an edit
                    p = rng.choice(paths)
                    q = new_path(tree)
                    tree[q] = tree.pop(p)
                    changes.append(("D", p, None))
                    changes.append(("M", q, render(tree[q])))
        if commit_no in secret_at and tree:
            typ, text, secret = make_secret(rng)
            path = rng.choice(list(tree))
            lines = list(tree[path])
            at = rng.randrange(len(lines) + 1)
            lines[at:at] = text.split("\n")
            tree[path] = lines
            changes = [c for c in changes if c[1] != path] + [("M", path, render(lines))]
            planted.append({"type": typ, "secret": secret, "path": path, "added_in": commit_no, "removed_in": None})
            if rng.random() < 0.75:  # most get deleted again; the rest stay at HEAD
                live[len(planted) - 1] = (path, text.split("\n"))
        elif live and rng.random() < 0.03:
            # Remove a planted secret again: the classic "oops, delete it" commit.
            i = rng.choice(sorted(live))
            path, text = live[i]
            lines = [l for l in tree.get(path, []) if l not in text]
            if path in tree and len(lines) < len(tree[path]):
                del live[i]
                tree[path] = lines
                changes = [c for c in changes if c[1] != path] + [("M", path, render(lines))]
                planted[i]["removed_in"] = commit_no
        when += rng.randint(600, 2 * 86_400)
        who = rng.choice(AUTHORS)
        msg = message or f"{rng.choice(VERBS).capitalize()} {ident(rng)}: {sentence(rng)}"
        parents = ([tip] if tip else []) + list(parents_extra)
        mark = st.commit(ref, who, when, msg, parents, changes)
        commit_no += 1
        return mark, changes

    tip = None
    branches = []  # [name, tree, tip, commits left, paths changed or deleted on the branch]
    while commit_no < a.commits:
        if tip and rng.random() < 0.03 and len(branches) < 4:
            name = f"refs/heads/topic/{ident(rng)}-{commit_no}"
            branches.append([name, dict(main_tree), tip, rng.randint(3, 25), set()])
        if branches and rng.random() < 0.35:
            b = rng.choice(branches)
            b[2], changes = step(b[1], b[2], b[0])
            b[4].update(path for _, path, _ in changes)
            b[3] -= 1
            if b[3] <= 0:
                branches.remove(b)
                if rng.random() < 0.9:
                    # Merge: main's tree with the branch's changes on top (the branch wins).
                    changes = []
                    for path in sorted(b[4]):
                        if path in b[1]:
                            main_tree[path] = b[1][path]
                            changes.append(("M", path, render(b[1][path])))
                        elif path in main_tree:
                            del main_tree[path]
                            changes.append(("D", path, None))
                    when += rng.randint(600, 86_400)
                    msg = f"Merge branch '{b[0][11:]}'"
                    tip = st.commit("refs/heads/main", rng.choice(AUTHORS), when, msg, [tip, b[2]], changes)
                    commit_no += 1
                else:
                    st.ref(f"refs/remotes/origin/{b[0][11:]}", b[2])
                if rng.random() < 0.2:
                    st.ref(b[0], b[2])
            continue
        tip, _ = step(main_tree, tip, "refs/heads/main", sweeping=rng.random() < 0.005)
        if commit_no % 250 == 0:
            st.ref(f"refs/tags/v{commit_no // 250}.0", tip)
    for b in branches:
        st.ref(b[0], b[2])
    st.ref("refs/heads/main", tip)
    fi.stdin.close()
    if fi.wait() != 0:
        sys.exit("git fast-import failed")
    subprocess.run(["git", "checkout", "-q", "-f", "main"], cwd=out, check=True, env=env)
    subprocess.run(["git", "gc", "-q"], cwd=out, check=True, env=env)
    with open(out.rstrip("/") + ".planted.json", "w") as fh:
        json.dump({"seed": a.seed, "commits": commit_no, "files": a.files, "planted": planted}, fh, indent=1)
    print(f"{out}: {commit_no} commits, {len(planted)} planted secrets "
          f"({sum(1 for p in planted if p['removed_in'] is not None)} removed again)", file=sys.stderr)


if __name__ == "__main__":
    main()
