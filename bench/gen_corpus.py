#!/usr/bin/env python3
"""Generate a reproducible corpus of realistic source trees with a known set of planted secrets.

    python3 bench/gen_corpus.py OUTDIR [--size-mb 300] [--seed 1] [--jobs N] [--force]

Writes about SIZE_MB megabytes (10^6 bytes) in roughly one file per 10 KB, laid out as a few
dozen projects in several languages (Python, JS/TS, Go, Java, Rust, C, Ruby, PHP, shell) with
their configs (YAML, JSON, TOML, INI, .env, properties, Dockerfiles, Terraform), docs, i18n
files, lockfiles (package-lock.json, yarn.lock, go.sum, Cargo.lock, Gemfile.lock,
composer.lock), minified JS bundles and source maps, and binary assets.

A sparse set of fake secrets in their real formats (valid checksums where the format has one) is
planted across the file types. The manifest goes NEXT TO the corpus, never inside it:
OUTDIR.planted.json = {"seed", "size_mb", "files", "bytes", "planted": [{"path", "line",
"end_line", "type", "family", "placement", "secret"}, ...]}, path relative to OUTDIR, lines
1-based; `line` is where the secret starts (the BEGIN line of a PEM block, the key id of an
AWS pair) and `end_line` where the planted credential ends.

Everything is derived from --seed: the same seed and size give byte-identical trees (every file
is generated from its own seeded RNG, so --jobs does not change the output). Standard library
only. Every secret is fake: random bytes in a real format, never a real credential.
"""
import argparse
import base64
import json
import math
import os
import random
import shutil
import string
import sys
import time
import zlib
from multiprocessing import Pool

GEN_VERSION = 1
MB = 1_000_000

# ----------------------------------------------------------------------------------------------
# vocabulary

NOUNS = """user account order invoice payment session config cache request response client server
handler service repository event message queue job worker report metric logger record item entry
node tree graph file upload image product cart customer address notification email webhook
subscription plan tenant project team member role permission policy rule filter query result page
view model schema field column table index buffer stream channel socket connection pool
transaction batch task schedule timer retry limit quota region zone bucket object blob document
template widget layout theme style route path url host port endpoint header body payload context
state store action reducer component provider adapter factory builder parser lexer login profile
avatar device browser locale language currency price discount coupon shipment warehouse inventory
stock vendor supplier contract license audit history version release build deploy cluster
container volume network proxy gateway hash digest settings option flag feature experiment
segment cohort label tag comment post thread reply attachment invite organization workspace
folder directory archive export import migration seed fixture mock stub client session
""".split()
# Words that secret scanners use as prefilter keywords. They are drawn separately, at a rate set per
# file (KW_RATE), so that their frequency is calibrated: ordinary code mentions them in a few
# percent of lines (about 2-3% of the lines of CPython's stdlib or of crates.io sources contain
# "key", "token", "secret" or "password"), auth and config modules far more often.
KW_NOUNS = ["key"] * 5 + ["token"] * 3 + ["secret", "password", "credential", "auth", "auth", "signature", "nonce",
                                         "salt", "cipher", "certificate"]
KW_RATE = [0.01]  # probability that a noun is a keyword noun (set per file by render())
FLAVOR_RATE = [0.15]  # probability that a "flavored" (auth/config) statement is kept (set per file)


def noun(rng):
    return rng.choice(KW_NOUNS) if rng.random() < KW_RATE[0] else rng.choice(NOUNS)


VERBS = """get set create update delete find load save parse validate build render handle process
fetch send compute resolve register init close open read write encode decode refresh rotate
verify check apply merge sync list count format normalize serialize deserialize dispatch
emit subscribe publish notify schedule cancel retry flush reset start stop run execute import
export upload download sign hash encrypt decrypt authenticate authorize revoke issue lookup
""".split()
ADJS = """default current active pending max min last next raw cached remote local new old primary
secondary internal external public private signed encrypted expired valid invalid total partial
""".split()
CLASS_SUFFIX = """Service Manager Handler Client Repository Controller Factory Builder Config Provider
Store Adapter Resolver Validator Serializer Middleware Worker Job Policy Helper Registry
""".split()
METHODS = """get set find_by_id load save validate encode decode to_json parse format append push
split join strip lower update delete insert commit rollback execute fetch_all send close write
read flush emit with_context with_timeout unwrap_or expect build map filter first last
""".split()
SENTENCES_KW = [
    "The password is hashed with bcrypt before it is stored.",
    "Read the API key from the environment, never from the repository.",
    "Tokens are rotated every 24 hours by the {n} job.",
    "Secrets come from the vault, see docs/secrets.md.",
    "If the session token is expired we ask the client to log in again.",
    "Compute the HMAC over the raw body with the webhook secret.",
    "The {n} must not be logged: it may contain the access token.",
    "See RFC 7519 section 4.1 for the registered claim names of the token.",
]
SENTENCES = [
    "Returns the {n} for the given {n2}.",
    "TODO: handle {n} expiry properly.",
    "Make sure the {n} is {a} before we {v} it.",
    "NOTE: this is called from the {n} {n2} on every request.",
    "FIXME: {v} the {n} lazily, this is slow for large {n2}s.",
    "We keep the {a} {n} around so that retries can reuse it.",
    "{V} the {n} and return the {a} {n2}.",
    "This mirrors the behaviour of the legacy {n} {n2}.",
    "Keys are sorted so that the output is deterministic.",
    "Fall back to the {a} {n} when the {n2} is missing.",
    "Guard against a nil {n}; the {n2} may not be loaded yet.",
    "Callers must hold the {n} lock.",
    "Deprecated: use {v}_{n} instead.",
    "Only {a} {n}s are considered here.",
    "Cache key is the {n} id plus the {n2} version.",
    "HACK: the upstream {n} API returns 200 on error.",
]
LOG_MSGS = [
    "failed to {v} {n}: %s", "{n} not found", "invalid {n} {n2}", "{v}ing {n} for {n2} %s",
    "{n} {n2} is {a}", "unable to {v} {n}", "retrying {n} after error", "{n} cache miss for %s",
    "{n} rotated", "could not decode {n} payload", "{n} {v}ed in %d ms", "unexpected {n} state %s",
]
LOG_MSGS_KW = ["token refresh failed for user %s", "password reset requested for %s", "missing API key",
               "signature mismatch on {n} webhook", "authenticated user %s", "invalid credentials for %s"]
HEADERS = ["Content-Type", "Authorization", "X-Request-ID", "Accept", "X-Api-Key", "User-Agent",
           "X-Forwarded-For", "Cache-Control", "X-CSRF-Token", "If-None-Match"]
TLDS = ["example.com", "example.org", "internal", "svc.cluster.local", "acme.io", "localhost"]
ENV_SECRETISH = ["API_KEY", "API_TOKEN", "SECRET_KEY", "CLIENT_SECRET", "DB_PASSWORD", "AUTH_TOKEN",
                 "ACCESS_TOKEN", "REFRESH_TOKEN", "SIGNING_KEY", "WEBHOOK_SECRET", "ENCRYPTION_KEY",
                 "REDIS_PASSWORD", "SMTP_PASSWORD", "JWT_SECRET", "SESSION_SECRET", "PRIVATE_KEY_PATH"]
ENV_PLAIN = ["DATABASE_HOST", "DATABASE_PORT", "LOG_LEVEL", "PORT", "REGION", "BASE_URL", "NODE_ENV",
             "APP_ENV", "TIMEOUT_MS", "MAX_RETRIES", "FEATURE_FLAGS", "CACHE_TTL", "WORKERS", "DEBUG"]
PLACEHOLDERS = ['changeme', '${DB_PASSWORD}', 'AKIAIOSFODNN7EXAMPLE', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
                'test-token', 'dummy-secret', 'your-api-key-here', '<YOUR_TOKEN>', 'xxxxxxxxxxxxxxxxxxxx',
                'password123', 'secret', 'sk_test_placeholder', '{{ .Values.password }}', 'REPLACE_ME',
                '%(DB_PASSWORD)s', '$API_KEY', 'hunter2', 'example-key', 'notasecret', 'test1234']
B62 = string.digits + string.ascii_uppercase + string.ascii_lowercase
B64URL = B62 + "-_"
HEX = "0123456789abcdef"

LANG_EXT = {"py": ".py", "js": ".js", "ts": ".ts", "go": ".go", "java": ".java", "rs": ".rs", "c": ".c",
            "h": ".h", "rb": ".rb", "php": ".php", "sh": ".sh"}


def rs(rng, alphabet, n):
    return "".join(rng.choices(alphabet, k=n))


def uuid4(rng):
    h = rs(rng, HEX, 32)
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{rng.choice('89ab')}{h[17:20]}-{h[20:]}"


def sha_hex(rng, n=64):
    return rs(rng, HEX, n)


def b64(rng, nbytes):
    return base64.b64encode(rng.randbytes(nbytes)).decode()


def snake(ws):
    return "_".join(ws)


def camel(ws):
    return ws[0] + "".join(w.capitalize() for w in ws[1:])


def pascal(ws):
    return "".join(w.capitalize() for w in ws)


def upper(ws):
    return "_".join(ws).upper()


def sentence(rng):
    s = rng.choice(SENTENCES_KW if rng.random() < KW_RATE[0] * 2 else SENTENCES)
    return s.format(n=noun(rng), n2=noun(rng), a=rng.choice(ADJS), v=rng.choice(VERBS),
                    V=rng.choice(VERBS).capitalize())


def log_msg(rng):
    return rng.choice(LOG_MSGS_KW if rng.random() < KW_RATE[0] * 2 else LOG_MSGS).format(n=noun(rng), n2=noun(rng), a=rng.choice(ADJS),
                                       v=rng.choice(VERBS))


def paragraph(rng, k=None):
    return " ".join(sentence(rng) for _ in range(k or rng.randint(2, 6)))


def lognormal_size(rng, median, sigma, lo, hi, left=None):
    """A file size; `left` (bytes left in the budget) caps it so that budgets are not overshot."""
    size = min(hi, max(lo, rng.lognormvariate(math.log(median), sigma)))
    if left is not None:
        size = min(size, max(lo, left))
    return int(size)


# ----------------------------------------------------------------------------------------------
# code IR: a tiny statement/expression model rendered by one dialect per language

def string_literal(rng):
    r = rng.random()
    if r < 0.35:
        return log_msg(rng)
    if r < 0.5:
        return f"/api/v{rng.randint(1, 3)}/{noun(rng)}s/{{id}}"
    if r < 0.6:
        return rng.choice(HEADERS)
    if r < 0.7:
        n = noun(rng)
        return f"SELECT id, {n}_id, created_at FROM {n}s WHERE id = $1"
    if r < 0.8:
        return snake([noun(rng), rng.choice(["id", "name", "type", "key", "at", "count"])])
    if r < 0.86:
        return f"https://{noun(rng)}.{rng.choice(TLDS)}/{noun(rng)}"
    if r < 0.9:
        return uuid4(rng)
    if r < 0.93:
        return sha_hex(rng, rng.choice([40, 64]))
    return rng.choice(["application/json", "utf-8", "%Y-%m-%dT%H:%M:%SZ", "", "none", "sha256",
                       "HS256", "RS256", "text/plain", "localhost", "0.0.0.0", "true", "false", "en-US"])


class CodeGen:
    """Builds IR for one file from an RNG."""

    def __init__(self, rng, test=False):
        self.rng = rng
        self.test = test

    def words(self, lo=1, hi=2):
        rng = self.rng
        return tuple(noun(rng) if i else rng.choice(NOUNS + ADJS) for i in range(rng.randint(lo, hi)))

    def fname(self):
        rng = self.rng
        return (rng.choice(VERBS),) + tuple(noun(rng) for _ in range(rng.randint(1, 2)))

    def expr(self, scope, depth=0):
        rng = self.rng
        r = rng.random()
        if depth > 1:
            r = r * 0.5
        if r < 0.25 and scope:
            return ("var", rng.choice(scope))
        if r < 0.35:
            return ("str", string_literal(rng))
        if r < 0.42:
            return ("num", rng.choice([0, 1, 2, 10, 30, 60, 100, 256, 1024, 3600, 8080, rng.randint(0, 99999)]))
        if r < 0.5:
            return ("self", self.words(1, 1))
        if r < 0.7:
            obj = ("var", rng.choice(scope)) if scope and rng.random() < 0.7 else ("self", self.words(1, 1))
            return ("mcall", obj, tuple(rng.choice(METHODS).split("_")), self.args(scope, depth + 1))
        if r < 0.85:
            return ("call", self.fname(), self.args(scope, depth + 1))
        if r < 0.92 and scope:
            return ("attr", ("var", rng.choice(scope)), self.words(1, 2))
        if r < 0.95:
            return ("env", rng.choice(ENV_SECRETISH if rng.random() < KW_RATE[0] * 5 else ENV_PLAIN))
        if r < 0.97:
            return ("concat", ("str", rng.choice(["/", "session:", "user:", "v1/", "-"] + (["Bearer ", "token ", "key:"] if rng.random() < KW_RATE[0] * 5 else []))),
                    ("var", rng.choice(scope)) if scope else ("str", "x"))
        return ("null",)

    def args(self, scope, depth):
        return tuple(self.expr(scope, depth + 1) for _ in range(self.rng.choice([0, 1, 1, 2, 2, 3])))

    def cond(self, scope):
        rng = self.rng
        r = rng.random()
        if r < 0.3 and scope:
            return ("isnull", ("var", rng.choice(scope)))
        if r < 0.55:
            return ("not", self.expr(scope, 2))
        if r < 0.8:
            return ("cmp", self.expr(scope, 2), rng.choice(["==", "!=", "<", ">", ">="]), self.expr(scope, 2))
        return ("truthy", self.expr(scope, 2))

    def flavored(self, scope):
        """Auth/config statements: where real code mentions tokens, keys and passwords."""
        rng = self.rng
        r = rng.random()
        if r < 0.25:
            name = rng.choice(ENV_SECRETISH)
            w = tuple(name.lower().split("_"))
            scope.append(w)
            return [("assign", w, ("env", name))]
        if r < 0.4:
            tok = rng.choice([("token",), ("access", "token"), ("auth", "token"), ("api", "key")])
            scope.append(tok)
            return [("assign", tok, ("mcall", ("self", ("auth",)), ("get", "token"), ())),
                    ("setidx", ("headers",), "Authorization", ("concat", ("str", "Bearer "), ("var", tok)))]
        if r < 0.55:
            return [("if", ("not", ("call", ("verify", "password"), (("var", ("password",)), ("attr", ("var", ("user",)), ("password", "hash"))))),
                     [("raise", "invalid credentials")], None)]
        if r < 0.65:
            scope.append(("token",))
            return [("assign", ("token",), ("mcall", ("var", ("jwt",)), ("encode",), (("var", ("claims",)), ("var", ("secret", "key")))))]
        if r < 0.75:
            scope.append(("hashed",))
            return [("assign", ("hashed",), ("call", ("hash", "password"), (("var", ("password",)), ("var", ("salt",)))))]
        if r < 0.85:
            return [("comment", rng.choice(["never log the raw token", "do not hardcode the API key here",
                                             "the secret key is injected at deploy time",
                                             "password comes from the secret store"]))]
        if r < 0.93:
            w = tuple(rng.choice(["expected_sha256", "fixture_checksum", "default_digest", "commit_sha"]).split("_"))
            scope.append(w)
            return [("assign", w, ("str", sha_hex(rng, 64 if "sha256" in w or "digest" in w else 40)))]
        w = ("request", "id")
        scope.append(w)
        return [("assign", w, ("str", uuid4(rng)))]

    def placeholder_stmt(self, scope):
        rng = self.rng
        w = rng.choice([("password",), ("api", "key"), ("secret",), ("token",), ("access", "key"), ("db", "password"),
                        ("client", "secret"), ("aws", "secret", "key")])
        scope.append(w)
        return [("assign", w, ("str", rng.choice(PLACEHOLDERS)))]

    def body(self, scope, n, depth=0):
        rng = self.rng
        out = []
        for _ in range(n):
            r = rng.random()
            if r < 0.33:
                w = self.words()
                out.append(("assign", w, self.expr(scope)))
                scope.append(w)
            elif r < 0.5:
                out.append(("expr", ("mcall", ("var", rng.choice(scope)) if scope else ("self", self.words(1, 1)),
                                     tuple(rng.choice(METHODS).split("_")), self.args(scope, 1))))
            elif r < 0.62 and depth < 2:
                out.append(("if", self.cond(scope), self.body(scope, rng.randint(1, 4), depth + 1),
                            self.body(scope, rng.randint(1, 2), depth + 1) if rng.random() < 0.3 else None))
            elif r < 0.68 and depth < 2:
                v = (noun(rng),)
                it = ("var", rng.choice(scope)) if scope else ("self", (noun(rng) + "s",))
                out.append(("for", v, it, self.body(scope + [v], rng.randint(1, 4), depth + 1)))
            elif r < 0.76:
                out.append(("log", rng.choice(["debug", "info", "warn", "error"]), log_msg(rng),
                            ("var", rng.choice(scope)) if scope else ("num", 0)))
            elif r < 0.8:
                out.append(("comment", sentence(rng)))
            elif r < 0.83:
                out.append(("raise", log_msg(rng).replace("%s", "").replace("%d", "").strip(": ")))
            elif r < 0.93 and rng.random() < FLAVOR_RATE[0]:
                out.extend(self.flavored(scope))
            elif self.test and r < 0.96 and rng.random() < FLAVOR_RATE[0]:
                out.extend(self.placeholder_stmt(scope))
            elif r < 0.99:
                w = self.words()
                out.append(("assign", w, self.expr(scope)))
                scope.append(w)
            else:
                out.append(("setidx", rng.choice(scope) if scope else ("data",), string_literal(rng)[:30].replace('"', "").replace("'", ""),
                            self.expr(scope)))
        return out

    def function(self, method=False):
        rng = self.rng
        params = [self.words(1, 2) for _ in range(rng.choice([0, 1, 1, 2, 2, 3, 4]))]
        name = self.fname()
        if self.test:
            name = ("test",) + name
        scope = list(params)
        body = self.body(scope, rng.randint(3, 22))
        ret = self.expr(scope) if rng.random() < 0.75 else None
        doc = sentence(rng) if rng.random() < 0.6 else None
        return {"name": name, "params": params, "body": body, "ret": ret, "doc": doc, "method": method}


class Dialect:
    ind = "    "
    term = ";"
    null = "null"
    q = '"'

    def __init__(self, rng):
        self.rng = rng

    def v(self, ws):
        return camel(ws)

    def f(self, ws):
        return camel(ws)

    def m(self, ws):
        return camel(ws)

    def s(self, text):
        return self.q + text.replace("\\", "").replace(self.q, "") + self.q

    def self_ref(self, ws):
        return "this." + camel(ws)

    def env(self, name):
        return f'getenv("{name}")'

    def concat(self, a, b):
        return f"{a} + {b}"

    def e(self, x):
        k = x[0]
        if k == "var":
            return self.v(x[1])
        if k == "str":
            return self.s(x[1])
        if k == "num":
            return str(x[1])
        if k == "self":
            return self.self_ref(x[1])
        if k == "mcall":
            return self.mcall(self.e(x[1]), x[2], ", ".join(self.e(a) for a in x[3]))
        if k == "call":
            return f"{self.f(x[1])}({', '.join(self.e(a) for a in x[2])})"
        if k == "attr":
            return f"{self.e(x[1])}.{self.v(x[2])}"
        if k == "env":
            return self.env(x[1])
        if k == "concat":
            return self.concat(self.e(x[1]), self.e(x[2]))
        if k == "null":
            return self.null
        raise ValueError(k)

    def mcall(self, obj, m, args):
        return f"{obj}.{self.m(m)}({args})"

    def c(self, x):
        k = x[0]
        if k == "isnull":
            return f"{self.e(x[1])} == {self.null}"
        if k == "not":
            return f"!{self.e(x[1])}"
        if k == "cmp":
            return f"{self.e(x[1])} {x[2]} {self.e(x[3])}"
        return self.e(x[1])

    def comment(self, text):
        return "// " + text

    def lines(self, stmts, lvl, out):
        for st in stmts:
            self.stmt(st, lvl, out)

    def block_open(self, head):
        return head + " {"

    def block_close(self):
        return "}"

    def stmt(self, st, lvl, out):
        p = self.ind * lvl
        k = st[0]
        if k == "assign":
            out.append(p + self.assign(st[1], self.e(st[2])))
        elif k == "expr":
            out.append(p + self.e(st[1]) + self.term)
        elif k == "if":
            out.append(p + self.if_head(self.c(st[1])))
            self.lines(st[2], lvl + 1, out)
            if st[3]:
                out.append(p + self.else_head())
                self.lines(st[3], lvl + 1, out)
            if self.block_close() is not None:
                out.append(p + self.block_close())
        elif k == "for":
            out.append(p + self.for_head(self.v(st[1]), self.e(st[2])))
            self.lines(st[3], lvl + 1, out)
            if self.block_close() is not None:
                out.append(p + self.block_close())
        elif k == "log":
            out.append(p + self.log(st[1], st[2], self.e(st[3])))
        elif k == "comment":
            out.append(p + self.comment(st[1]))
        elif k == "raise":
            out.append(p + self.raise_(st[1]))
        elif k == "setidx":
            out.append(p + self.setidx(self.v(st[1]), st[2], self.e(st[3])))
        elif k == "return":
            out.append(p + self.ret(self.e(st[1])))

    def assign(self, ws, val):
        return f"const {self.v(ws)} = {val}{self.term}"

    def if_head(self, cond):
        return f"if ({cond}) {{"

    def else_head(self):
        return "} else {"

    def for_head(self, var, it):
        return f"for (const {var} of {it}) {{"

    def log(self, level, msg, arg):
        return f"logger.{level}({self.s(msg)}, {arg}){self.term}"

    def raise_(self, msg):
        return f"throw new Error({self.s(msg)}){self.term}"

    def setidx(self, obj, key, val):
        return f"{obj}[{self.s(key)}] = {val}{self.term}"

    def ret(self, val):
        return f"return {val}{self.term}"

    def render_function(self, fn, lvl, out):
        raise NotImplementedError

    def const_line(self, name_words, value_literal):
        raise NotImplementedError


class PyDialect(Dialect):
    term = ""
    null = "None"

    def v(self, ws):
        return snake(ws)

    f = m = v

    def self_ref(self, ws):
        return "self." + snake(ws)

    def env(self, name):
        return self.rng.choice([f'os.environ.get("{name}")', f'os.getenv("{name}", "")', f'os.environ["{name}"]',
                                f"settings.{name}"])

    def c(self, x):
        if x[0] == "isnull":
            return f"{self.e(x[1])} is None"
        if x[0] == "not":
            return f"not {self.e(x[1])}"
        return super().c(x)

    def comment(self, text):
        return "# " + text

    def block_close(self):
        return None

    def assign(self, ws, val):
        return f"{snake(ws)} = {val}"

    def if_head(self, cond):
        return f"if {cond}:"

    def else_head(self):
        return "else:"

    def for_head(self, var, it):
        return f"for {var} in {it}:"

    def log(self, level, msg, arg):
        return f"logger.{'warning' if level == 'warn' else level}({self.s(msg)}, {arg})"

    def raise_(self, msg):
        return f"raise {self.rng.choice(['ValueError', 'RuntimeError', 'PermissionError', 'KeyError'])}({self.s(msg)})"

    def render_function(self, fn, lvl, out):
        p = self.ind * lvl
        params = (["self"] if fn["method"] else []) + [snake(w) + ("=None" if i and self.rng.random() < 0.3 else "")
                                                        for i, w in enumerate(fn["params"])]
        out.append(f"{p}def {snake(fn['name'])}({', '.join(params)}):")
        if fn["doc"]:
            out.append(f'{p}    """{fn["doc"]}"""')
        self.lines(fn["body"], lvl + 1, out)
        if fn["ret"]:
            out.append(f"{p}    return {self.e(fn['ret'])}")
        out.append("")

    def const_line(self, name, lit):
        return f"{name} = {lit}"


class JsDialect(Dialect):
    ind = "  "

    def __init__(self, rng, ts=False):
        super().__init__(rng)
        self.ts = ts
        self.q = rng.choice(["'", "'", '"'])

    def env(self, name):
        return self.rng.choice([f"process.env.{name}", f"process.env['{name}']", f"config.get('{camel(tuple(name.lower().split('_')))}')"])

    def concat(self, a, b):
        if self.rng.random() < 0.5:
            return "`" + a.strip("'\"") + "${" + b + "}`"
        return f"{a} + {b}"

    def assign(self, ws, val):
        kw = self.rng.choice(["const", "const", "let"])
        t = ""
        if self.ts and self.rng.random() < 0.3:
            t = ": " + self.rng.choice(["string", "number", "boolean", "unknown", pascal(ws[-1:])])
        return f"{kw} {camel(ws)}{t} = {val};"

    def render_function(self, fn, lvl, out):
        p = self.ind * lvl
        ps = []
        for w in fn["params"]:
            ps.append(camel(w) + (": " + self.rng.choice(["string", "number", pascal(w[-1:]), "Options", "Request"]) if self.ts else ""))
        if fn["doc"]:
            out.append(f"{p}/**")
            out.append(f"{p} * {fn['doc']}")
            for w in fn["params"]:
                out.append(f"{p} * @param {{{pascal(w[-1:])}}} {camel(w)}")
            out.append(f"{p} */")
        asy = "async " if self.rng.random() < 0.4 else ""
        arrow = False
        rt = ""
        if self.ts:
            rt = ": " + ("Promise<" if asy else "") + self.rng.choice(["void", "string", "boolean", pascal(fn["name"][1:])]) + (">" if asy else "")
        if fn["method"]:
            out.append(f"{p}{asy}{camel(fn['name'])}({', '.join(ps)}){rt} {{")
        elif self.rng.random() < 0.4:
            out.append(f"{p}export const {camel(fn['name'])} = {asy}({', '.join(ps)}){rt} => {{")
            arrow = True
        else:
            out.append(f"{p}export {asy}function {camel(fn['name'])}({', '.join(ps)}){rt} {{")
        self.lines(fn["body"], lvl + 1, out)
        if fn["ret"]:
            out.append(f"{p}  return {self.e(fn['ret'])};")
        out.append(p + "}" + (";" if arrow else ""))
        out.append("")

    def const_line(self, name, lit):
        return f"export const {name} = {lit};"


class GoDialect(Dialect):
    ind = "\t"
    term = ""
    null = "nil"

    def f(self, ws):
        return pascal(ws) if self.rng.random() < 0.5 else camel(ws)

    def m(self, ws):
        return pascal(ws)

    def self_ref(self, ws):
        return "s." + camel(ws)

    def env(self, name):
        return f'os.Getenv("{name}")'

    def c(self, x):
        if x[0] == "isnull":
            return f"{self.e(x[1])} == nil"
        return super().c(x)

    def assign(self, ws, val):
        return f"{camel(ws)} := {val}"

    def if_head(self, cond):
        return f"if {cond} {{"

    def for_head(self, var, it):
        return f"for _, {var} := range {it} {{"

    def log(self, level, msg, arg):
        if self.rng.random() < 0.5:
            return f'log.Printf({self.s(msg.replace("%s", "%v"))}, {arg})'
        return f's.logger.{level.capitalize()}({self.s(msg)}, zap.Any("value", {arg}))'

    def raise_(self, msg):
        return f'return nil, fmt.Errorf("{msg}: %w", err)'

    def setidx(self, obj, key, val):
        return f'{obj}["{key}"] = {val}'

    def render_function(self, fn, lvl, out):
        rng = self.rng
        name = pascal(fn["name"]) if rng.random() < 0.6 else camel(fn["name"])
        if fn["doc"]:
            out.append(f"// {name} {fn['doc'][0].lower()}{fn['doc'][1:]}")
        ps = ", ".join(f"{camel(w)} {rng.choice(['string', 'int', '*' + pascal(w[-1:]), 'context.Context', '[]byte', 'map[string]string'])}" for w in fn["params"])
        recv = f"(s *{self.recv}) " if fn["method"] else ""
        rt = rng.choice(["error", f"(*{pascal(fn['name'][1:])}, error)", "(string, error)", "bool"])
        out.append(f"func {recv}{name}({ps}) {rt} {{")
        self.lines(fn["body"], 1, out)
        if rt == "error":
            out.append("\treturn nil")
        elif rt == "bool":
            out.append("\treturn true")
        else:
            out.append(f"\treturn {self.e(fn['ret']) if fn['ret'] else 'nil'}, nil")
        out.append("}")
        out.append("")

    def const_line(self, name, lit):
        return f"const {name} = {lit}"


class JavaDialect(Dialect):
    def env(self, name):
        return f'System.getenv("{name}")'

    def assign(self, ws, val):
        t = self.rng.choice(["var", "var", "String", "final var", pascal(ws[-1:])])
        return f"{t} {camel(ws)} = {val};"

    def for_head(self, var, it):
        return f"for (var {var} : {it}) {{"

    def log(self, level, msg, arg):
        return f'log.{"warn" if level == "warn" else level}("{msg.replace("%s", "{}").replace("%d", "{}")}", {arg});'

    def raise_(self, msg):
        return f'throw new {self.rng.choice(["IllegalStateException", "IllegalArgumentException", "SecurityException"])}("{msg}");'

    def setidx(self, obj, key, val):
        return f'{obj}.put("{key}", {val});'

    def render_function(self, fn, lvl, out):
        p = self.ind * lvl
        rng = self.rng
        if fn["doc"]:
            out.append(f"{p}/**")
            out.append(f"{p} * {fn['doc']}")
            out.append(f"{p} */")
        if self.test:
            out.append(f"{p}@Test")
        ps = ", ".join(f"{rng.choice(['String', 'long', 'int', pascal(w[-1:]), 'Map<String, String>'])} {camel(w)}" for w in fn["params"])
        rt = rng.choice(["void", "String", "boolean", pascal(fn["name"][1:]), "Optional<" + pascal(fn["name"][-1:]) + ">"])
        mod = rng.choice(["public", "public", "private", "protected"])
        thr = " throws IOException" if rng.random() < 0.2 else ""
        out.append(f"{p}{mod} {rt} {camel(fn['name'])}({ps}){thr} {{")
        self.lines(fn["body"], lvl + 1, out)
        if rt != "void":
            out.append(f"{p}    return {self.e(fn['ret']) if fn['ret'] else 'null'};")
        out.append(p + "}")
        out.append("")

    def const_line(self, name, lit):
        return f"private static final String {name} = {lit};"


class RustDialect(Dialect):
    null = "None"

    def v(self, ws):
        return snake(ws)

    f = m = v

    def self_ref(self, ws):
        return "self." + snake(ws)

    def env(self, name):
        return f'std::env::var("{name}").unwrap_or_default()'

    def concat(self, a, b):
        return f'format!("{{}}{{}}", {a}, {b})'

    def c(self, x):
        if x[0] == "isnull":
            return f"{self.e(x[1])}.is_none()"
        return super().c(x)

    def assign(self, ws, val):
        return f"let {'mut ' if self.rng.random() < 0.2 else ''}{snake(ws)} = {val};"

    def if_head(self, cond):
        return f"if {cond} {{"

    def for_head(self, var, it):
        return f"for {var} in {it}.iter() {{"

    def log(self, level, msg, arg):
        return f'tracing::{level}!("{msg.replace("%s", "{}").replace("%d", "{}")}", {arg});'

    def raise_(self, msg):
        return self.rng.choice([f'anyhow::bail!("{msg}");', f'return Err(Error::new("{msg}"));'])

    def setidx(self, obj, key, val):
        return f'{obj}.insert("{key}".to_string(), {val});'

    def render_function(self, fn, lvl, out):
        p = self.ind * lvl
        rng = self.rng
        if fn["doc"]:
            out.append(f"{p}/// {fn['doc']}")
        if self.test:
            out.append(f"{p}#[test]")
        ps = (["&self"] if fn["method"] and not self.test else []) + [
            f"{snake(w)}: {rng.choice(['&str', 'u64', 'usize', '&' + pascal(w[-1:]), 'Option<String>', '&[u8]'])}" for w in fn["params"]]
        rt = "" if self.test else rng.choice([" -> Result<()>", f" -> Result<{pascal(fn['name'][1:])}>", " -> bool", " -> Option<String>"])
        out.append(f"{p}{'pub ' if rng.random() < 0.6 and not self.test else ''}fn {snake(fn['name'])}({', '.join(ps)}){rt} {{")
        self.lines(fn["body"], lvl + 1, out)
        if rt:
            val = self.e(fn["ret"]) if fn["ret"] else "()"
            out.append(f"{p}    {'Ok(' + val + ')' if 'Result' in rt else ('true' if 'bool' in rt else 'None')}")
        out.append(p + "}")
        out.append("")

    def const_line(self, name, lit):
        return f"const {name}: &str = {lit};"


class CDialect(Dialect):
    null = "NULL"

    def v(self, ws):
        return snake(ws)

    f = v

    def self_ref(self, ws):
        return "ctx->" + snake(ws)

    def mcall(self, obj, m, args):
        return f"{obj.replace('ctx->', '').replace('.', '_')}_{snake(m)}({obj}{', ' + args if args else ''})"

    def e(self, x):
        if x[0] == "attr":
            return f"{self.e(x[1])}->{snake(x[2])}"
        return super().e(x)

    def concat(self, a, b):
        return f"str_concat({a}, {b})"

    def comment(self, text):
        return "/* " + text + " */"

    def assign(self, ws, val):
        t = "const char *" if val.startswith('"') or "getenv" in val else self.rng.choice(["int ", "size_t ", "struct buffer *", "void *", "uint32_t "])
        return f"{t}{snake(ws)} = {val};"

    def for_head(self, var, it):
        return f"for (size_t {var} = 0; {var} < {it}->len; {var}++) {{"

    def log(self, level, msg, arg):
        return f'log_{level}("{msg}", {arg});'

    def raise_(self, msg):
        return f'fprintf(stderr, "{msg}\\n"); return -EINVAL;'

    def setidx(self, obj, key, val):
        return f'map_set({obj}, "{key}", {val});'

    def ret(self, val):
        return f"return {val};"

    def render_function(self, fn, lvl, out):
        rng = self.rng
        if fn["doc"]:
            out.append(f"/*\n * {fn['doc']}\n */")
        ps = ", ".join(f"{rng.choice(['const char *', 'int ', 'size_t ', 'struct ' + snake(w[-1:]) + ' *', 'const uint8_t *'])}{snake(w)}" for w in fn["params"]) or "void"
        out.append(f"{'static ' if rng.random() < 0.5 else ''}{rng.choice(['int', 'void', 'char *', 'bool', 'ssize_t'])}\n{snake(fn['name'])}({ps})\n{{")
        self.lines(fn["body"], 1, out)
        out.append(f"    return {self.e(fn['ret']) if fn['ret'] else '0'};")
        out.append("}")
        out.append("")

    def const_line(self, name, lit):
        return f"static const char *{name.lower()} = {lit};"


class RubyDialect(Dialect):
    ind = "  "
    term = ""
    null = "nil"

    def v(self, ws):
        return snake(ws)

    f = m = v

    def self_ref(self, ws):
        return "@" + snake(ws)

    def env(self, name):
        return self.rng.choice([f'ENV["{name}"]', f'ENV.fetch("{name}")', f'Rails.application.credentials.{name.lower()}'])

    def concat(self, a, b):
        return '"' + a.strip("'\"") + "#{" + b + '}"'

    def c(self, x):
        if x[0] == "isnull":
            return f"{self.e(x[1])}.nil?"
        return super().c(x)

    def comment(self, text):
        return "# " + text

    def block_close(self):
        return "end"

    def assign(self, ws, val):
        return f"{snake(ws)} = {val}"

    def if_head(self, cond):
        return f"if {cond}"

    def else_head(self):
        return "else"

    def for_head(self, var, it):
        return f"{it}.each do |{var}|"

    def log(self, level, msg, arg):
        return f'Rails.logger.{level}("{msg.replace("%s", "#{" + arg + "}").replace("%d", "")}")'

    def raise_(self, msg):
        return f'raise {self.rng.choice(["ArgumentError", "SecurityError", "StandardError"])}, "{msg}"'

    def render_function(self, fn, lvl, out):
        p = self.ind * lvl
        if fn["doc"]:
            out.append(f"{p}# {fn['doc']}")
        ps = ", ".join(snake(w) for w in fn["params"])
        out.append(f"{p}def {snake(fn['name'])}{'(' + ps + ')' if ps else ''}")
        self.lines(fn["body"], lvl + 1, out)
        if fn["ret"]:
            out.append(f"{p}  {self.e(fn['ret'])}")
        out.append(p + "end")
        out.append("")

    def const_line(self, name, lit):
        return f"{name} = {lit}.freeze"


class PhpDialect(Dialect):
    q = "'"

    def v(self, ws):
        return "$" + camel(ws)

    def self_ref(self, ws):
        return "$this->" + camel(ws)

    def mcall(self, obj, m, args):
        return f"{obj}->{camel(m)}({args})"

    def e(self, x):
        if x[0] == "attr":
            return f"{self.e(x[1])}->{camel(x[2])}"
        return super().e(x)

    def env(self, name):
        return self.rng.choice([f"getenv('{name}')", f"$_ENV['{name}']", f"env('{name}')"])

    def concat(self, a, b):
        return f"{a} . {b}"

    def c(self, x):
        if x[0] == "isnull":
            return f"{self.e(x[1])} === null"
        return super().c(x)

    def assign(self, ws, val):
        return f"${camel(ws)} = {val};"

    def for_head(self, var, it):
        return f"foreach ({it} as {var}) {{"

    def log(self, level, msg, arg):
        return f"$this->logger->{'warning' if level == 'warn' else level}('{msg}', ['value' => {arg}]);"

    def raise_(self, msg):
        return f"throw new \\{self.rng.choice(['RuntimeException', 'InvalidArgumentException', 'DomainException'])}('{msg}');"

    def render_function(self, fn, lvl, out):
        p = self.ind * lvl
        rng = self.rng
        if fn["doc"]:
            out.append(f"{p}/**\n{p} * {fn['doc']}\n{p} */")
        ps = ", ".join(f"{rng.choice(['string ', 'int ', '?array ', pascal(w[-1:]) + ' ', ''])}${camel(w)}" for w in fn["params"])
        rt = rng.choice([": void", ": string", ": bool", ": ?array", ": " + pascal(fn["name"][1:])])
        out.append(f"{p}{rng.choice(['public', 'public', 'private', 'protected'])} function {camel(fn['name'])}({ps}){rt}")
        out.append(p + "{")
        self.lines(fn["body"], lvl + 1, out)
        if rt != ": void":
            out.append(f"{p}    return {self.e(fn['ret']) if fn['ret'] else 'null'};")
        out.append(p + "}")
        out.append("")

    def const_line(self, name, lit):
        return f"private const {name} = {lit};"


# ----------------------------------------------------------------------------------------------
# source files: header + chunks + footer. Plants go between chunks (at `member` or top level).

IMPORTS = {
    "py": ["import os", "import sys", "import json", "import logging", "import hashlib", "import hmac", "import base64",
           "import re", "import time", "from datetime import datetime, timedelta, timezone", "from pathlib import Path",
           "from typing import Any, Dict, List, Optional", "from dataclasses import dataclass, field", "import requests",
           "from sqlalchemy import Column, Integer, String", "import jwt", "from django.conf import settings",
           "from flask import Blueprint, request, jsonify", "import boto3", "from cryptography.fernet import Fernet"],
    "js": ["const express = require('express');", "const crypto = require('crypto');", "const jwt = require('jsonwebtoken');",
           "const axios = require('axios');", "const { promisify } = require('util');", "const path = require('path');",
           "const fs = require('fs');", "const bcrypt = require('bcryptjs');", "const config = require('../config');",
           "const logger = require('./logger');"],
    "ts": ["import { Injectable } from '@nestjs/common';", "import axios, { AxiosInstance } from 'axios';",
           "import * as jwt from 'jsonwebtoken';", "import { z } from 'zod';", "import { useState, useEffect } from 'react';",
           "import type { Request, Response, NextFunction } from 'express';", "import { logger } from '../lib/logger';",
           "import { config } from '../config';", "import { createHash, randomBytes } from 'crypto';"],
    "go": ['"context"', '"crypto/hmac"', '"crypto/sha256"', '"encoding/json"', '"errors"', '"fmt"', '"log"', '"net/http"',
           '"os"', '"strings"', '"sync"', '"time"', '"go.uber.org/zap"', '"github.com/golang-jwt/jwt/v5"'],
    "java": ["java.util.List", "java.util.Map", "java.util.Optional", "java.io.IOException", "java.time.Instant",
             "org.slf4j.Logger", "org.slf4j.LoggerFactory", "org.springframework.stereotype.Service",
             "org.springframework.beans.factory.annotation.Value", "javax.crypto.Mac",
             "org.springframework.security.crypto.password.PasswordEncoder"],
    "rs": ["use std::collections::HashMap;", "use std::sync::Arc;", "use anyhow::{Context, Result};", "use serde::{Deserialize, Serialize};",
           "use tokio::sync::RwLock;", "use tracing::{debug, info, warn};", "use sha2::{Digest, Sha256};", "use crate::error::Error;"],
    "c": ["#include <stdio.h>", "#include <stdlib.h>", "#include <string.h>", "#include <errno.h>", "#include <stdint.h>",
          "#include <stdbool.h>", "#include <openssl/evp.h>", '#include "buffer.h"', '#include "log.h"', '#include "config.h"'],
    "rb": ["require 'json'", "require 'openssl'", "require 'net/http'", "require 'securerandom'", "require 'base64'"],
    "php": ["use Psr\\Log\\LoggerInterface;", "use Illuminate\\Support\\Facades\\Hash;", "use App\\Models\\User;",
            "use Illuminate\\Http\\Request;", "use Firebase\\JWT\\JWT;", "use GuzzleHttp\\Client;"],
}

DIALECTS = {"py": PyDialect, "js": JsDialect, "ts": lambda r: JsDialect(r, ts=True), "go": GoDialect, "java": JavaDialect,
            "rs": RustDialect, "c": CDialect, "h": CDialect, "rb": RubyDialect, "php": PhpDialect}


def license_header(rng, lang):
    if rng.random() > 0.3:
        return []
    year = rng.randint(2015, 2025)
    text = [f"Copyright (c) {year} Acme Corp. All rights reserved.",
            "Licensed under the Apache License, Version 2.0 (the \"License\");",
            "you may not use this file except in compliance with the License."]
    if lang in ("py", "rb", "sh"):
        return ["# " + t for t in text] + [""]
    return ["/*"] + [" * " + t for t in text] + [" */", ""]


def gen_source(rng, lang, target, test, path):
    """Return (chunks, member_indent) where chunks[0] is the header and chunks[-1] the footer."""
    d = DIALECTS[lang](rng)
    d.test = test
    cg = CodeGen(rng, test=test)
    mod = pascal(tuple(os.path.splitext(os.path.basename(path))[0].replace("-", "_").split("_"))) or "Module"
    head, foot = license_header(rng, lang), []
    indent = ""
    imports = IMPORTS.get(lang, [])
    imp = sorted(rng.sample(imports, min(len(imports), rng.randint(2, 7)))) if imports else []
    if lang == "py":
        if rng.random() < 0.5:
            head.append(f'"""{sentence(rng)}"""')
            head.append("")
        imp = sorted(set(imp) | {"import logging", "import os"}, key=lambda l: (l.startswith("from"), l))
        if test:
            imp = ["import pytest", "from unittest import mock"] + imp
        head += imp + ["", "logger = logging.getLogger(__name__)", ""]
    elif lang in ("js", "ts"):
        head += imp + [""]
    elif lang == "go":
        pkg = os.path.basename(os.path.dirname(path)).replace("-", "") or "main"
        head += [f"package {pkg}", "", "import ("] + ["\t" + i for i in imp + (['"testing"'] if test else [])] + [")", ""]
        d.recv = pascal(cg.words(1, 2)) + rng.choice(CLASS_SUFFIX)
        head += [f"// {d.recv} {sentence(rng).lower()}", f"type {d.recv} struct {{"]
        for _ in range(rng.randint(2, 7)):
            w = cg.words(1, 2)
            head.append(f"\t{camel(w)} {rng.choice(['string', 'int', '*zap.Logger', 'time.Duration', '[]byte', 'sync.Mutex', '*http.Client'])}")
        head += ["}", ""]
    elif lang == "java":
        pkg = "com.acme." + ".".join(p for p in path.split("/")[-3:-1] if p.isidentifier()).lower()
        head += [f"package {pkg};", ""] + [f"import {i};" for i in imp] + (["import org.junit.jupiter.api.Test;"] if test else []) + [""]
        head += [f"/** {sentence(rng)} */"] if rng.random() < 0.6 else []
        head += (["@Service"] if "Service" in mod else []) + [f"public class {mod} {{", ""]
        head += [f"    private static final Logger log = LoggerFactory.getLogger({mod}.class);", ""]
        foot = ["}"]
        indent = "    "
    elif lang == "rs":
        head += imp + [""]
        if rng.random() < 0.7:
            sname = pascal(cg.words(1, 2))
            head += ["#[derive(Debug, Clone, Serialize, Deserialize)]", f"pub struct {sname} {{"]
            for _ in range(rng.randint(2, 6)):
                head.append(f"    pub {snake(cg.words(1, 2))}: {rng.choice(['String', 'u64', 'Option<String>', 'Vec<u8>', 'bool'])},")
            head += ["}", ""]
        if test:
            head += ["#[cfg(test)]", "mod tests {", "    use super::*;", ""]
            foot = ["}"]
            indent = "    "
    elif lang in ("c", "h"):
        head += imp + [""]
        if lang == "h":
            g = snake(tuple(path.replace("/", "_").replace(".", "_").split("_")[-3:])).upper()
            head += [f"#ifndef {g}", f"#define {g}", ""]
            foot = ["", f"#endif /* {g} */"]
    elif lang == "rb":
        head = ["# frozen_string_literal: true", ""] + head + imp + [""]
        if test:
            head += ["require 'rails_helper'", "", f"RSpec.describe {mod} do"]
        else:
            head += [f"class {mod}{rng.choice(['', ' < ApplicationRecord', ' < ApplicationController', ' < BaseService'])}"]
        foot = ["end"]
        indent = "  "
    elif lang == "php":
        ns = "\\".join(pascal((p,)) for p in path.split("/")[-3:-1] if p.isidentifier()) or "App"
        head = ["<?php", "", "declare(strict_types=1);", "", f"namespace App\\{ns};", ""] + head + imp + ["",
                f"final class {mod}{' extends TestCase' if test else ''}", "{",
                "    public function __construct(private LoggerInterface $logger)", "    {", "    }", ""]
        foot = ["}"]
        indent = "    "
    chunks = ["\n".join(head) + "\n"]
    size = len(chunks[0])
    lvl = len(indent) // len(d.ind) if indent else 0
    while size < target:
        out = []
        r = rng.random()
        if lang == "h":
            w = cg.words(1, 2)
            if r < 0.3:
                out += [f"struct {snake(w)} {{"] + [f"    {rng.choice(['char *', 'int ', 'size_t ', 'uint8_t *'])}{snake(cg.words(1, 2))};" for _ in range(rng.randint(2, 8))] + ["};", ""]
            elif r < 0.5:
                out += [f"#define {upper(w)}_{rng.choice(['MAX', 'LEN', 'SIZE', 'TIMEOUT'])} {rng.randint(1, 65536)}"]
            else:
                out += [f"/* {sentence(rng)} */", f"int {snake(cg.fname())}(struct {snake(w)} *{snake(w[-1:])}, const char *{snake(cg.words(1, 1))});", ""]
        elif lang == "py" and r < 0.35 and not test:
            cname = pascal(cg.words(1, 2)) + rng.choice(CLASS_SUFFIX)
            out += [f"class {cname}{rng.choice(['', '(Base)', '(object)', '(Exception)'])}:"]
            if rng.random() < 0.6:
                out.append(f'    """{sentence(rng)}"""')
                out.append("")
            for _ in range(rng.randint(1, 5)):
                d.render_function(cg.function(method=True), 1, out)
        elif lang in ("js", "ts") and r < 0.3 and not test:
            cname = pascal(cg.words(1, 2)) + rng.choice(CLASS_SUFFIX)
            out += [f"export class {cname} {{"]
            if lang == "ts":
                for _ in range(rng.randint(1, 4)):
                    out.append(f"  private {camel(cg.words(1, 2))}: {rng.choice(['string', 'number', 'Map<string, string>', 'boolean'])};")
                out.append("")
            for _ in range(rng.randint(1, 5)):
                d.render_function(cg.function(method=True), 1, out)
            out += ["}", ""]
        elif lang == "ts" and r < 0.42:
            out += [f"export interface {pascal(cg.words(1, 2))} {{"]
            for _ in range(rng.randint(2, 8)):
                w = cg.words(1, 2)
                out.append(f"  {camel(w)}{'?' if rng.random() < 0.3 else ''}: {rng.choice(['string', 'number', 'boolean', 'Date', pascal(w[-1:]) + '[]'])};")
            out += ["}", ""]
        elif lang in ("js", "ts") and test:
            out += [f"describe('{pascal(cg.words(1, 2))}', () => {{"]
            for _ in range(rng.randint(1, 4)):
                fn = cg.function()
                out.append(f"  it('should {' '.join(fn['name'][1:])} {sentence(rng)[:-1].lower()}', async () => {{")
                d.lines(fn["body"], 2, out)
                out.append(f"    expect({d.e(fn['ret']) if fn['ret'] else 'result'}).toEqual({d.s(rng.choice(PLACEHOLDERS) if rng.random() < 0.2 else string_literal(rng))});")
                out += ["  });", ""]
            out += ["});", ""]
        elif lang == "rb" and test:
            fn = cg.function()
            out.append(f"  it '{' '.join(fn['name'][1:])} #{sentence(rng)[:-1].lower()}' do")
            d.lines(fn["body"], 2, out)
            out.append(f"    expect({d.e(fn['ret']) if fn['ret'] else 'result'}).to eq({d.s(rng.choice(PLACEHOLDERS) if rng.random() < 0.2 else string_literal(rng))})")
            out += ["  end", ""]
        elif lang == "go" and test:
            fn = cg.function()
            out.append(f"func Test{pascal(fn['name'][1:])}(t *testing.T) {{")
            d.lines(fn["body"], 1, out)
            out += [f'\tif got := {d.e(fn["ret"]) if fn["ret"] else "result"}; got != {d.s(rng.choice(PLACEHOLDERS) if rng.random() < 0.2 else string_literal(rng))} {{',
                    '\t\tt.Fatalf("unexpected value: %v", got)', "\t}", "}", ""]
        else:
            d.render_function(cg.function(method=bool(indent) or (lang == "go" and r < 0.6)), lvl, out)
        text = "\n".join(out) + "\n"
        chunks.append(text)
        size += len(text)
    chunks.append("\n".join(foot) + ("\n" if foot else ""))
    return chunks, indent


def gen_shell(rng, target):
    head = ["#!/usr/bin/env bash", "# " + sentence(rng), "set -euo pipefail", "",
            f'SCRIPT_DIR="$(cd "$(dirname "${{BASH_SOURCE[0]}}")" && pwd)"',
            f': "${{{rng.choice(ENV_SECRETISH)}:?must be set}}"', f'BASE_URL="${{BASE_URL:-https://api.{rng.choice(TLDS)}}}"', ""]
    chunks = ["\n".join(head) + "\n"]
    size = len(chunks[0])
    n = "usage"
    chunks.append('usage() {\n  echo "usage: $0 ARGS..." >&2\n}\n\n')
    while size < target:
        n = snake((rng.choice(VERBS), noun(rng)))
        v = noun(rng)
        tok = rng.choice(ENV_SECRETISH if rng.random() < 0.25 else ["BASE_URL", "REGION", "APP_ENV", "LOG_LEVEL", "TARGET", "NAMESPACE"])
        body = [f"{n}() {{", f'  local {v}="${{1:?usage: {n} {v.upper()}}}"', f"  # {sentence(rng)}"]
        for _ in range(rng.randint(1, 6)):
            r = rng.random()
            if r < 0.3 and tok in ENV_SECRETISH:
                body.append(f'  curl -fsS -H "Authorization: Bearer ${{{tok}}}" -H "Content-Type: application/json" \\\n'
                            f'    "$BASE_URL/api/v1/{v}s/${v}" -o "$SCRIPT_DIR/{v}.json"')
            elif r < 0.3:
                body.append(f'  curl -fsS -H "Accept: application/json" "$BASE_URL/api/v1/{v}s/${v}" -o "$SCRIPT_DIR/{v}.json"')
            elif r < 0.5:
                body += [f'  if [[ -z "${{{tok}:-}}" ]]; then', f'    echo "{log_msg(rng)}" >&2', "    return 1", "  fi"]
            elif r < 0.65:
                body.append(f'  for f in "$SCRIPT_DIR"/{v}/*.{rng.choice(["json", "yaml", "sql"])}; do\n    {rng.choice(["jq -r .id", "sha256sum", "wc -l", "cat"])} "$f"\n  done')
            elif r < 0.8:
                body.append(f'  echo "[$(date -u +%FT%TZ)] {log_msg(rng)}" | tee -a "$LOG_FILE"')
            else:
                body.append(f'  {rng.choice(["docker", "kubectl", "aws", "gcloud", "psql"])} {rng.choice(["run", "apply -f", "s3 cp", "exec", "--version"])} "${v}"')
        body += ["}", ""]
        t = "\n".join(body) + "\n"
        chunks.append(t)
        size += len(t)
    chunks.append('main() {\n  ' + n + ' "$@"\n}\n\nmain "$@"\n')
    return chunks, ""


# ----------------------------------------------------------------------------------------------
# secrets

def crc_b62(body):
    n = zlib.crc32(body.encode())
    out = ""
    for _ in range(6):
        out = B62[n % 62] + out
        n //= 62
    return out


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def der_len(n):
    if n < 0x80:
        return bytes([n])
    b = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(b)]) + b


def der_int(x):
    b = x.to_bytes(x.bit_length() // 8 + 1, "big")
    return b"\x02" + der_len(len(b)) + b


def der_seq(*parts):
    body = b"".join(parts)
    return b"\x30" + der_len(len(body)) + body


SMALL_PRIMES_PRODUCT = math.prod(p for p in range(3, 20000) if all(p % q for q in range(2, int(p ** 0.5) + 1)))


def probable_prime(n, rng):
    if math.gcd(n, SMALL_PRIMES_PRODUCT) != 1:
        return False
    d, s = n - 1, 0
    while d % 2 == 0:
        d //= 2
        s += 1
    for _ in range(24):
        a = rng.randrange(2, n - 2)
        x = pow(a, d, n)
        if x in (1, n - 1):
            continue
        for _ in range(s - 1):
            x = pow(x, 2, n)
            if x == n - 1:
                break
        else:
            return False
    return True


def rsa_pem(seed_str, pkcs8=False):
    """A real (valid) RSA-2048 private key, derived deterministically from seed_str."""
    rng = random.Random(seed_str)
    e = 65537

    def prime():
        while True:
            c = rng.getrandbits(1024) | (3 << 1022) | 1
            if (c - 1) % e and probable_prime(c, rng):
                return c
    while True:
        p, q = prime(), prime()
        if p != q:
            break
    if p < q:
        p, q = q, p
    n, phi = p * q, (p - 1) * (q - 1)
    d = pow(e, -1, phi)
    der = der_seq(der_int(0), der_int(n), der_int(e), der_int(d), der_int(p), der_int(q), der_int(d % (p - 1)),
                  der_int(d % (q - 1)), der_int(pow(q, -1, p)))
    label = "RSA PRIVATE KEY"
    if pkcs8:
        alg = der_seq(b"\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x01\x01", b"\x05\x00")
        der = der_seq(der_int(0), alg, b"\x04" + der_len(len(der)) + der)
        label = "PRIVATE KEY"
    b = base64.b64encode(der).decode()
    return "\n".join([f"-----BEGIN {label}-----"] + [b[i:i + 64] for i in range(0, len(b), 64)] + [f"-----END {label}-----"])


def fake_cert_pem(rng, label="CERTIFICATE", nbytes=900):
    b = b64(rng, nbytes)
    return "\n".join([f"-----BEGIN {label}-----"] + [b[i:i + 64] for i in range(0, len(b), 64)] + [f"-----END {label}-----"])


SECRET_TYPES = {
    # type: (family, key names, placements)
    "github-pat": ("github", ["GITHUB_TOKEN", "GH_TOKEN", "GITHUB_PAT", "DEPLOY_TOKEN"],
                   ["py", "js", "ts", "go", "rb", "sh", "yaml_ci", "md", "env", "json"]),
    "npm-token": ("npm", ["NPM_TOKEN", "NPM_AUTH_TOKEN"], ["npmrc", "env", "yaml_ci", "sh", "dockerfile"]),
    "aws-access-key": ("aws", ["AWS_ACCESS_KEY_ID"], ["py", "awscreds", "tf", "env", "yaml", "sh", "java", "properties"]),
    "slack-bot-token": ("slack", ["SLACK_BOT_TOKEN", "SLACK_TOKEN"], ["py", "js", "go", "rb", "yaml", "env", "json"]),
    "stripe-secret-key": ("stripe", ["STRIPE_SECRET_KEY", "STRIPE_API_KEY"], ["js", "ts", "py", "php", "rb", "env", "yaml"]),
    "google-api-key": ("google", ["GOOGLE_API_KEY", "MAPS_API_KEY", "FIREBASE_API_KEY"], ["js", "ts", "java", "json", "py"]),
    "openai-api-key": ("openai", ["OPENAI_API_KEY"], ["py", "ts", "env", "md"]),
    "anthropic-api-key": ("anthropic", ["ANTHROPIC_API_KEY", "CLAUDE_API_KEY"], ["py", "ts", "env", "yaml"]),
    "sendgrid-api-key": ("sendgrid", ["SENDGRID_API_KEY", "SENDGRID_KEY"], ["py", "js", "php", "env", "dockerfile"]),
    "rsa-private-key": ("private-key", ["PRIVATE_KEY", "SIGNING_KEY"], ["pemfile", "pemfile", "py", "go", "yaml_k8s", "json_sa", "rb", "sh"]),
    "jwt": ("jwt", ["AUTH_TOKEN", "TEST_JWT", "SERVICE_TOKEN"], ["js", "ts", "py", "md", "json", "sh"]),
    "postgres-uri": ("database-uri", ["DATABASE_URL", "DB_URL", "POSTGRES_DSN"], ["py", "go", "env", "yaml", "properties", "js"]),
    "env-db-password": ("generic-password", ["DB_PASSWORD"], ["env"]),
    "yaml-password": ("generic-password", ["password"], ["yaml"]),
}


def make_secret(rng, typ, seed, idx):
    """Return (value, second) — second is the AWS secret key for the AWS pair, else None."""
    if typ == "github-pat":
        b = rs(rng, B62, 30)
        return "ghp_" + b + crc_b62(b), None
    if typ == "npm-token":
        b = rs(rng, B62, 30)
        return "npm_" + b + crc_b62(b), None
    if typ == "aws-access-key":
        return "AKIA" + rs(rng, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16), rs(rng, B62 + "/+", 40)
    if typ == "slack-bot-token":
        return (f"xoxb-{rng.randint(1, 9)}{rs(rng, string.digits, rng.randint(9, 12))}-"
                f"{rng.randint(1, 9)}{rs(rng, string.digits, rng.randint(9, 12))}-{rs(rng, B62, 24)}"), None
    if typ == "stripe-secret-key":
        return "sk_live_" + rs(rng, B62, rng.choice([24, 34, 99])), None
    if typ == "google-api-key":
        return "AIza" + rs(rng, B64URL, 35), None
    if typ == "openai-api-key":
        # project keys: 74 url-safe characters on each side of the "T3BlbkFJ" marker
        return "sk-proj-" + rs(rng, B64URL, 74) + "T3BlbkFJ" + rs(rng, B64URL, 74), None
    if typ == "anthropic-api-key":
        return "sk-ant-api03-" + rs(rng, B64URL, 93) + "AA", None
    if typ == "sendgrid-api-key":
        return "SG." + rs(rng, B64URL, 22) + "." + rs(rng, B64URL, 43), None
    if typ == "rsa-private-key":
        return ("@rsa", f"{seed}/rsa/{idx}"), None  # filled in by the key pool
    if typ == "jwt":
        hdr = b64url(json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":")).encode())
        iat = 1_600_000_000 + rng.randint(0, 150_000_000)
        claims = {"sub": uuid4(rng), "name": rng.choice(["svc-deploy", "admin", "ci-bot", "alice", "reporting"]),
                  "role": rng.choice(["admin", "service", "user"]), "iat": iat, "exp": iat + rng.choice([3600, 86400, 31536000])}
        return f"{hdr}.{b64url(json.dumps(claims, separators=(',', ':')).encode())}.{b64url(rng.randbytes(32))}", None
    if typ == "postgres-uri":
        return f"postgres://{rng.choice(['app', 'svc_billing', 'admin', 'api', 'reporting'])}:{rs(rng, B62, 16)}@db.internal:5432/app", None
    if typ == "env-db-password":
        return rng.choice(string.ascii_letters) + rs(rng, B62 + "!%*-_@", 19), None
    if typ == "yaml-password":
        return rng.choice(string.ascii_letters) + rs(rng, B62 + "!%*-_", rng.randint(13, 23)), None
    raise ValueError(typ)


def plant_lines(rng, plant, lang_indent=""):
    """Render a planted secret for its placement as a list of lines (source and line-based files)."""
    typ, pl, v, v2 = plant["type"], plant["placement"], plant["secret"], plant.get("secret2")
    K = rng.choice(SECRET_TYPES[typ][1])
    kw = tuple(K.lower().split("_"))
    ind = lang_indent
    pre = []
    if rng.random() < 0.4 and pl in ("py", "rb", "sh", "env", "yaml", "yaml_ci", "properties", "dockerfile", "tf"):
        pre = [ind + "# " + rng.choice(["TODO: move to vault", "temporary, remove before release", "prod credentials",
                                      "FIXME rotate this", "used by the nightly job", "do not commit (oops)"])]
    elif rng.random() < 0.4 and pl in ("js", "ts", "go", "java", "php"):
        pre = [ind + "// " + rng.choice(["TODO: move to vault", "temporary, remove before release", "FIXME rotate this"])]
    if typ == "rsa-private-key":
        if pl == "py":
            return pre + [f'{K} = """{v}', '"""']
        if pl == "go":
            return pre + [f"const {camel(kw)} = `{v}", "`"]
        if pl == "rb":
            return pre + [f"{ind}{K} = <<~PEM"] + [ind + "  " + x for x in v.split("\n")] + [ind + "PEM"]
        if pl == "sh":
            return pre + ["cat > /tmp/deploy_key <<'EOF'"] + v.split("\n") + ["EOF", "chmod 600 /tmp/deploy_key"]
        if pl == "yaml_k8s":
            return ["---", "apiVersion: v1", "kind: Secret", "metadata:", f"  name: {noun(rng)}-tls", "type: kubernetes.io/tls",
                    "stringData:", "  tls.key: |"] + ["    " + x for x in v.split("\n")]
    if typ == "aws-access-key":
        if pl == "py":
            return pre + [f'aws_access_key_id = "{v}"', f'aws_secret_access_key = "{v2}"']
        if pl == "java":
            return pre + [f'{ind}private static final String AWS_ACCESS_KEY_ID = "{v}";',
                          f'{ind}private static final String AWS_SECRET_ACCESS_KEY = "{v2}";']
        if pl in ("env", "sh"):
            e = "export " if pl == "sh" else ""
            return pre + [f"{e}AWS_ACCESS_KEY_ID={v}", f"{e}AWS_SECRET_ACCESS_KEY={v2}"]
        if pl == "yaml":
            return pre + ["aws:", f"  access_key_id: {v}", f"  secret_access_key: {v2}", "  region: us-east-1"]
        if pl == "properties":
            return pre + [f"aws.accessKeyId={v}", f"aws.secretKey={v2}"]
        if pl == "tf":
            return pre + ['provider "aws" {', '  region     = "us-east-1"', f'  access_key = "{v}"', f'  secret_key = "{v2}"', "}"]
        if pl == "awscreds":
            return ["[default]", f"aws_access_key_id = {v}", f"aws_secret_access_key = {v2}", "region = eu-west-1"]
    if typ == "jwt":
        if pl == "sh":
            return pre + [f'curl -fsS -H "Authorization: Bearer {v}" "$BASE_URL/api/v1/health"']
        if pl == "md":
            return ["```bash", f"curl -H 'Authorization: Bearer {v}' https://api.example.com/v1/me", "```"]
    if typ == "postgres-uri" and pl == "properties":
        return pre + [f"spring.datasource.url={v}"]
    if pl == "npmrc":
        return ["registry=https://registry.npmjs.org/", f"//registry.npmjs.org/:_authToken={v}", "always-auth=true"]
    if pl == "py":
        return pre + [f'{K} = "{v}"']
    if pl == "js":
        return pre + [f"const {camel(kw)} = '{v}';"]
    if pl == "ts":
        return pre + [f"export const {K}: string = '{v}';"]
    if pl == "go":
        return pre + [f'const {camel(kw)} = "{v}"']
    if pl == "java":
        return pre + [f'{ind}private static final String {K} = "{v}";']
    if pl == "rb":
        return pre + [f'{ind}{K} = "{v}"']
    if pl == "php":
        return pre + [f"{ind}private const {K} = '{v}';"]
    if pl == "sh":
        return pre + [f'export {K}="{v}"']
    if pl == "env":
        return pre + [f"{K}={v}"]
    if pl in ("yaml", "yaml_ci"):
        if typ == "yaml-password":
            return pre + [f"{rng.choice(['database', 'db', 'smtp', 'redis', 'ldap'])}:", f"  host: {noun(rng)}.internal",
                          f"  username: {rng.choice(['app', 'admin', 'svc'])}", f"  password: {v}"]
        if pl == "yaml_ci":
            return ["env:", f"  {K}: {v}"]
        return pre + [f"{kw[0]}:", f"  {'_'.join(kw[1:]) or 'key'}: {v}"]
    if pl == "md":
        if rng.random() < 0.5:
            return ["```bash", f"export {K}={v}", "```"]
        return ["```python", f'client = Client(api_key="{v}")', "```"]
    if pl == "dockerfile":
        return pre + [f"ENV {K}={v}"]
    if pl == "properties":
        return pre + [f"{'.'.join(kw)}={v}"]
    raise ValueError(f"no line rendering for {typ} in {pl}")


# ----------------------------------------------------------------------------------------------
# configs, docs, data

def yaml_value(rng):
    r = rng.random()
    if r < 0.3:
        return str(rng.choice([1, 2, 3, 5, 10, 30, 60, 100, 443, 5432, 6379, 8080]))
    if r < 0.45:
        return rng.choice(["true", "false"])
    if r < 0.6:
        return f'"${{{rng.choice(ENV_SECRETISH + ENV_PLAIN)}}}"'
    if r < 0.7:
        return rng.choice(["info", "debug", "warn", "us-east-1", "eu-west-1", "postgres", "redis", "json", "utf-8"])
    if r < 0.75:
        return rng.choice(PLACEHOLDERS[:6])
    return f"{noun(rng)}-{noun(rng)}"


def gen_yaml_blocks(rng, target, kind):
    blocks = []
    if kind == "k8s":
        name = f"{noun(rng)}-{noun(rng)}"
        while sum(map(len, blocks)) < target:
            r = rng.random()
            if r < 0.5:
                env = "\n".join(
                    f"            - name: {k}\n              valueFrom:\n                secretKeyRef:\n                  name: {name}-secrets\n                  key: {k.lower().replace('_', '-')}"
                    if k in ENV_SECRETISH else f"            - name: {k}\n              value: {yaml_value(rng)}"
                    for k in rng.sample(ENV_SECRETISH + ENV_PLAIN, rng.randint(3, 9)))
                blocks.append(f"---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\n  labels:\n    app: {name}\n"
                              f"spec:\n  replicas: {rng.randint(1, 6)}\n  selector:\n    matchLabels:\n      app: {name}\n  template:\n"
                              f"    metadata:\n      labels:\n        app: {name}\n    spec:\n      containers:\n        - name: {name}\n"
                              f"          image: registry.acme.io/{name}:{rng.randint(1, 9)}.{rng.randint(0, 30)}.{rng.randint(0, 9)}\n"
                              f"          ports:\n            - containerPort: {rng.choice([80, 8080, 3000, 9090])}\n          env:\n{env}\n"
                              f"          resources:\n            limits:\n              memory: {rng.choice([128, 256, 512, 1024])}Mi\n")
            elif r < 0.75:
                blocks.append(f"---\napiVersion: v1\nkind: Service\nmetadata:\n  name: {name}\nspec:\n  selector:\n    app: {name}\n"
                              f"  ports:\n    - port: 80\n      targetPort: {rng.choice([8080, 3000])}\n")
            else:
                data = "\n".join(f"  {snake((noun(rng), rng.choice(['url', 'timeout', 'level', 'enabled', 'key_id'])))}: \"{yaml_value(rng).strip(chr(34))}\"" for _ in range(rng.randint(3, 12)))
                blocks.append(f"---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}-config\ndata:\n{data}\n")
        return blocks
    if kind == "ci":
        blocks.append(f"name: {rng.choice(['CI', 'Build', 'Release', 'Deploy'])}\n\non:\n  push:\n    branches: [main]\n  pull_request:\n")
        steps = []
        for _ in range(rng.randint(3, 10)):
            r = rng.random()
            if r < 0.3:
                steps.append(f"      - uses: actions/{rng.choice(['checkout', 'setup-node', 'setup-python', 'cache', 'setup-go'])}@v{rng.randint(2, 5)}")
            elif r < 0.6:
                steps.append(f"      - name: {rng.choice(VERBS).capitalize()} {noun(rng)}\n        run: {rng.choice(['npm ci', 'make test', 'pytest -q', 'go test ./...', 'cargo test', './scripts/deploy.sh'])}")
            else:
                s = rng.choice(ENV_SECRETISH + ["NPM_TOKEN", "GITHUB_TOKEN", "CODECOV_TOKEN"])
                steps.append(f"      - name: Publish\n        run: {rng.choice(['npm publish', 'make release', 'docker push'])}\n        env:\n          {s}: ${{{{ secrets.{s} }}}}")
        blocks.append("jobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n" + "\n".join(steps) + "\n")
        return blocks
    if kind == "compose":
        svcs = []
        for _ in range(rng.randint(2, 6)):
            n = rng.choice(["db", "redis", "api", "web", "worker", "nginx", "queue", "minio"]) + str(rng.randint(1, 9))
            env = "\n".join(f"      {k}: {yaml_value(rng)}" for k in rng.sample(ENV_SECRETISH + ENV_PLAIN, rng.randint(2, 6)))
            svcs.append(f"  {n}:\n    image: {rng.choice(['postgres:16', 'redis:7', 'nginx:1.25', 'node:20', 'python:3.12-slim'])}\n"
                        f"    environment:\n{env}\n    ports:\n      - \"{rng.randint(3000, 9999)}:{rng.choice([80, 5432, 6379, 8080])}\"\n")
        return ["version: \"3.9\"\nservices:\n" + "".join(svcs)]
    if kind == "openapi":
        blocks.append(f"openapi: 3.0.3\ninfo:\n  title: {noun(rng).capitalize()} API\n  version: {rng.randint(1, 3)}.{rng.randint(0, 20)}.0\n")
        blocks.append("components:\n  securitySchemes:\n    bearerAuth:\n      type: http\n      scheme: bearer\n      bearerFormat: JWT\n"
                      "    apiKey:\n      type: apiKey\n      in: header\n      name: X-Api-Key\n")
        paths = []
        while sum(map(len, paths)) + 400 < target:
            n = noun(rng)
            paths.append(f"  /v1/{n}s/{{id}}:\n    get:\n      summary: {sentence(rng)}\n      security:\n        - bearerAuth: []\n"
                         f"      parameters:\n        - name: id\n          in: path\n          required: true\n          schema:\n            type: string\n"
                         f"      responses:\n        '200':\n          description: The {n}\n        '401':\n          description: Missing or invalid token\n")
        blocks.append("paths:\n" + "".join(paths))
        return blocks
    # app config
    while sum(map(len, blocks)) < target:
        sec = rng.choice(["server", "database", "cache", "auth", "logging", "mail", "storage", "queue", "features", "oauth", "metrics"])
        lines = [f"{sec}_{rng.randint(1, 99)}:" if rng.random() < 0.3 else f"{sec}:"]
        for _ in range(rng.randint(2, 8)):
            k = rng.choice(["host", "port", "username", "password", "timeout", "enabled", "level", "token_ttl", "secret_key",
                            "api_key", "bucket", "region", "pool_size", "client_id", "client_secret", "url", "key_file"])
            lines.append(f"  {k}: {yaml_value(rng)}")
        blocks.append("\n".join(lines) + "\n")
    return blocks


def gen_json_config(rng, target, kind):
    if kind == "package":
        deps = {f"{rng.choice(['', '@acme/', '@types/'])}{noun(rng)}-{noun(rng)}": f"^{rng.randint(0, 12)}.{rng.randint(0, 30)}.{rng.randint(0, 9)}"
                for _ in range(rng.randint(5, 40))}
        return {"name": f"@acme/{noun(rng)}", "version": f"{rng.randint(0, 5)}.{rng.randint(0, 30)}.{rng.randint(0, 9)}",
                "private": True, "scripts": {"build": "webpack --mode production", "test": "jest", "lint": "eslint ."},
                "dependencies": deps, "devDependencies": {"jest": "^29.7.0", "eslint": "^8.57.0", "typescript": "^5.4.5"}}
    if kind == "tsconfig":
        return {"compilerOptions": {"target": "ES2020", "module": "commonjs", "strict": True, "esModuleInterop": True, "outDir": "dist",
                                    "baseUrl": ".", "paths": {"@/*": ["src/*"]}}, "include": ["src"]}
    cfg = {}
    while len(json.dumps(cfg)) < target:
        sec = rng.choice(["Logging", "ConnectionStrings", "Auth", "Jwt", "Smtp", "Storage", "Features", "Cors", "Cache", "Services"])
        sec = sec + str(rng.randint(1, 99)) if sec in cfg else sec
        cfg[sec] = {k: yaml_value(rng).strip('"') for k in rng.sample(
            ["Host", "Port", "User", "Password", "Secret", "Issuer", "Audience", "ApiKey", "Timeout", "Enabled", "Level", "Bucket",
             "Region", "ClientId", "ClientSecret", "Url", "TokenLifetime", "KeyVaultUri"], rng.randint(2, 7))}
    return cfg


def gen_env(rng, example):
    lines = [f"# {sentence(rng)}"] if rng.random() < 0.5 else []
    for k in rng.sample(ENV_SECRETISH + ENV_PLAIN, rng.randint(4, 14)):
        if example:
            v = rng.choice(["", "changeme", "your-key-here", "<secret>", "xxx", "postgres://user:password@localhost:5432/app_dev"]) if k in ENV_SECRETISH else yaml_value(rng).strip('"')
        else:
            v = rng.choice(["changeme", "dev", "local-dev-secret", "postgres", "password", "test"]) if k in ENV_SECRETISH else yaml_value(rng).strip('"')
        lines.append(f"{k}={v}")
    return lines


def gen_toml(rng, kind):
    if kind == "cargo":
        deps = "\n".join(f'{noun(rng)}{rng.choice(["", "-rs", "-core", "_derive"])} = "{rng.randint(0, 4)}.{rng.randint(0, 30)}"' for _ in range(rng.randint(3, 20)))
        return [f'[package]\nname = "{noun(rng)}-{noun(rng)}"\nversion = "0.{rng.randint(1, 30)}.0"\nedition = "2021"\n', f"[dependencies]\n{deps}\n"]
    if kind == "pyproject":
        deps = ",\n".join(f'    "{noun(rng)}-{noun(rng)}>={rng.randint(0, 5)}.{rng.randint(0, 20)}"' for _ in range(rng.randint(3, 15)))
        return [f'[project]\nname = "{noun(rng)}"\nversion = "{rng.randint(0, 3)}.{rng.randint(0, 20)}.0"\nrequires-python = ">=3.10"\ndependencies = [\n{deps}\n]\n',
                '[tool.pytest.ini_options]\naddopts = "-q"\ntestpaths = ["tests"]\n', "[tool.ruff]\nline-length = 100\n"]
    blocks = []
    for _ in range(rng.randint(3, 10)):
        sec = rng.choice(["server", "database", "auth", "log", "cache", "tls", "metrics"])
        blocks.append(f"[{sec}]\n" + "\n".join(f'{k} = "{yaml_value(rng).strip(chr(34))}"' for k in rng.sample(
            ["host", "port", "user", "password", "token", "secret_key", "cert_file", "key_file", "level", "timeout", "url"], rng.randint(2, 6))) + "\n")
    return blocks


def gen_ini(rng, kind):
    if kind == "alembic":
        return ["[alembic]\nscript_location = migrations\nsqlalchemy.url = driver://user:pass@localhost/dbname\n",
                "[loggers]\nkeys = root,sqlalchemy,alembic\n"]
    if kind == "mycnf":
        return ["[client]\nuser = root\npassword = changeme\nhost = 127.0.0.1\nport = 3306\n", "[mysqld]\nmax_connections = 200\ninnodb_buffer_pool_size = 1G\n"]
    blocks = []
    for _ in range(rng.randint(2, 8)):
        sec = rng.choice(["metadata", "options", "flake8", "tool:pytest", "coverage:run", "database", "auth", "server"])
        blocks.append(f"[{sec}]\n" + "\n".join(f"{k} = {yaml_value(rng).strip(chr(34))}" for k in rng.sample(
            ["name", "version", "max-line-length", "exclude", "password", "user", "host", "token", "timeout", "debug", "secret"], rng.randint(2, 6))) + "\n")
    return blocks


def gen_properties(rng):
    lines = ["# " + sentence(rng)]
    for _ in range(rng.randint(8, 40)):
        k = rng.choice(["spring.datasource.url", "spring.datasource.username", "spring.datasource.password", "server.port",
                        "logging.level.root", "app.jwt.secret", "app.jwt.expiration", "spring.mail.password", "management.endpoints.web.exposure.include",
                        "spring.redis.password", "app.api.key", f"app.{noun(rng)}.{rng.choice(['enabled', 'timeout', 'url', 'token'])}"])
        v = "${DB_PASSWORD}" if "password" in k else ("${JWT_SECRET:changeme}" if "secret" in k or "key" in k or "token" in k else yaml_value(rng).strip('"'))
        lines.append(f"{k}={v}")
    return lines


def gen_dockerfile(rng):
    base = rng.choice(["python:3.12-slim", "node:20-alpine", "golang:1.22", "eclipse-temurin:21-jre", "ruby:3.3", "php:8.3-fpm", "rust:1.78"])
    lines = [f"FROM {base} AS build", "WORKDIR /app", "ARG NPM_TOKEN", "COPY . .",
             f"RUN {rng.choice(['pip install --no-cache-dir -r requirements.txt', 'npm ci && npm run build', 'go build -o /bin/app ./cmd/app', 'cargo build --release'])}",
             "", f"FROM {base}", "ENV APP_ENV=production", f"ENV PORT={rng.choice([8080, 3000, 8000])}", "COPY --from=build /app /app",
             "USER 1000", f'CMD ["{rng.choice(["/bin/app", "python", "node", "bundle"])}"]']
    return lines


def gen_tf(rng):
    blocks = ['terraform {\n  required_providers {\n    aws = {\n      source  = "hashicorp/aws"\n      version = "~> 5.0"\n    }\n  }\n}\n']
    for _ in range(rng.randint(3, 12)):
        n = noun(rng)
        r = rng.random()
        if r < 0.3:
            blocks.append(f'variable "{n}_password" {{\n  type      = string\n  sensitive = true\n}}\n')
        elif r < 0.6:
            blocks.append(f'resource "aws_db_instance" "{n}" {{\n  identifier        = "{n}-db"\n  engine            = "postgres"\n  instance_class    = "db.t3.micro"\n'
                          f'  username          = "app"\n  password          = var.{n}_password\n  allocated_storage = 20\n}}\n')
        elif r < 0.8:
            blocks.append(f'resource "aws_s3_bucket" "{n}" {{\n  bucket = "acme-{n}-{rng.randint(100, 999)}"\n  tags = {{\n    Team = "{noun(rng)}"\n  }}\n}}\n')
        else:
            blocks.append(f'resource "aws_secretsmanager_secret" "{n}_api_key" {{\n  name = "{n}/api-key"\n}}\n')
    return blocks


LANGS_I18N = {
    "en": {"password": "Password", "token": "token", "key": "key", "account": "account", "sign_in": "Sign in", "email": "Email",
           "error": "Something went wrong", "save": "Save", "cancel": "Cancel", "forgot": "Forgot your password?",
           "expired": "Your session has expired", "secret": "secret", "welcome": "Welcome back"},
    "de": {"password": "Passwort", "token": "Token", "key": "Schlüssel", "account": "Konto", "sign_in": "Anmelden", "email": "E-Mail",
           "error": "Etwas ist schiefgelaufen", "save": "Speichern", "cancel": "Abbrechen", "forgot": "Passwort vergessen?",
           "expired": "Ihre Sitzung ist abgelaufen", "secret": "Geheimnis", "welcome": "Willkommen zurück"},
    "fr": {"password": "Mot de passe", "token": "jeton", "key": "clé", "account": "compte", "sign_in": "Se connecter", "email": "E-mail",
           "error": "Une erreur est survenue", "save": "Enregistrer", "cancel": "Annuler", "forgot": "Mot de passe oublié ?",
           "expired": "Votre session a expiré", "secret": "secret", "welcome": "Bon retour"},
    "es": {"password": "Contraseña", "token": "token", "key": "clave", "account": "cuenta", "sign_in": "Iniciar sesión", "email": "Correo",
           "error": "Algo salió mal", "save": "Guardar", "cancel": "Cancelar", "forgot": "¿Olvidaste tu contraseña?",
           "expired": "Tu sesión ha caducado", "secret": "secreto", "welcome": "Bienvenido de nuevo"},
    "ja": {"password": "パスワード", "token": "トークン", "key": "キー", "account": "アカウント", "sign_in": "ログイン", "email": "メール",
           "error": "問題が発生しました", "save": "保存", "cancel": "キャンセル", "forgot": "パスワードをお忘れですか？",
           "expired": "セッションの有効期限が切れました", "secret": "シークレット", "welcome": "おかえりなさい"},
    "ru": {"password": "Пароль", "token": "токен", "key": "ключ", "account": "аккаунт", "sign_in": "Войти", "email": "Эл. почта",
           "error": "Что-то пошло не так", "save": "Сохранить", "cancel": "Отмена", "forgot": "Забыли пароль?",
           "expired": "Сессия истекла", "secret": "секрет", "welcome": "С возвращением"},
    "pt": {"password": "Senha", "token": "token", "key": "chave", "account": "conta", "sign_in": "Entrar", "email": "E-mail",
           "error": "Algo deu errado", "save": "Salvar", "cancel": "Cancelar", "forgot": "Esqueceu sua senha?",
           "expired": "Sua sessão expirou", "secret": "segredo", "welcome": "Bem-vindo de volta"},
    "zh": {"password": "密码", "token": "令牌", "key": "密钥", "account": "账户", "sign_in": "登录", "email": "邮箱",
           "error": "出了点问题", "save": "保存", "cancel": "取消", "forgot": "忘记密码？", "expired": "会话已过期",
           "secret": "机密", "welcome": "欢迎回来"},
}


def gen_i18n(rng, lang, target):
    t = LANGS_I18N[lang]
    doc, size = {}, 0
    while size < target:
        sec = noun(rng) + ("_" + noun(rng) if rng.random() < 0.5 else "")
        entries = {}
        for _ in range(rng.randint(3, 15)):
            k = rng.choice(list(t))
            phrase = t[k]
            if rng.random() < 0.5:
                phrase = f"{t[rng.choice(list(t))]}: {phrase}"
            if rng.random() < 0.3:
                phrase += " {{" + rng.choice(["name", "count", "email", "date"]) + "}}"
            entries[f"{k}_{noun(rng)}" if k in entries else k] = phrase
        doc[sec] = entries
        size += len(json.dumps(entries, ensure_ascii=False))
    return doc


def gen_markdown(rng, target, plant_block=None):
    proj = f"{noun(rng)}-{noun(rng)}"
    blocks = [f"# {proj}\n\n{paragraph(rng)}\n"]
    size = len(blocks[0])
    while size < target:
        r = rng.random()
        if r < 0.15:
            b = f"## {rng.choice(['Configuration', 'Authentication', 'Setup', 'Deployment', 'API', 'Troubleshooting', 'Secrets', 'Testing', 'Usage'])}\n"
        elif r < 0.55:
            b = paragraph(rng) + "\n"
        elif r < 0.7:
            b = "\n".join(f"- {sentence(rng)}" for _ in range(rng.randint(2, 6))) + "\n"
        elif r < 0.82:
            k = rng.choice(ENV_SECRETISH)
            b = ("```bash\n" + f"export {k}=<your-{k.lower().replace('_', '-')}>\n" +
                 rng.choice(["make run", "npm start", "python -m app", "go run ./cmd/server", "docker compose up"]) + "\n```\n")
        elif r < 0.92:
            b = "| Variable | Description | Default |\n| --- | --- | --- |\n" + "\n".join(
                f"| `{k}` | {sentence(rng)} | `{rng.choice(['', 'changeme', '30', 'info', 'none'])}` |" for k in rng.sample(ENV_SECRETISH + ENV_PLAIN, rng.randint(3, 8))) + "\n"
        else:
            b = f"See [{noun(rng)} docs](https://docs.{rng.choice(TLDS)}/{noun(rng)}) and commit {sha_hex(rng, 40)}.\n"
        blocks.append(b)
        size += len(b) + 1
    return blocks


def gen_changelog(rng, target):
    out, size, v = ["# Changelog\n"], 0, [rng.randint(0, 3), rng.randint(0, 20), 0]
    while size < target:
        b = f"## [{v[0]}.{v[1]}.{v[2]}] - {rng.randint(2018, 2025)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}\n\n" + "\n".join(
            f"- {sentence(rng)} ({sha_hex(rng, 7)})" for _ in range(rng.randint(2, 10))) + "\n"
        out.append(b)
        size += len(b)
        v[2] += 1
    return out


def gen_sql(rng, target):
    out, size = [], 0
    while size < target:
        n = noun(rng)
        cols = ",\n".join(f"    {snake((noun(rng), rng.choice(['id', 'name', 'hash', 'token', 'at', 'count'])))} {rng.choice(['BIGINT', 'TEXT', 'VARCHAR(255)', 'TIMESTAMPTZ', 'BOOLEAN', 'JSONB'])}" for _ in range(rng.randint(2, 10)))
        b = f"CREATE TABLE IF NOT EXISTS {n}s (\n    id BIGSERIAL PRIMARY KEY,\n{cols},\n    created_at TIMESTAMPTZ NOT NULL DEFAULT now()\n);\n"
        if n in ("user", "account", "credential"):
            b += f"ALTER TABLE {n}s ADD COLUMN password_hash VARCHAR(255) NOT NULL;\n"
        for _ in range(rng.randint(0, 8)):
            b += f"INSERT INTO {n}s (id, {n}_name) VALUES ({rng.randint(1, 99999)}, '{noun(rng)}-{sha_hex(rng, 8)}');\n"
        out.append(b + "\n")
        size += len(b)
    return out


def gen_csv(rng, target):
    cols = [snake((noun(rng), rng.choice(["id", "name", "at", "count", "email"]))) for _ in range(rng.randint(3, 9))]
    out, size = [",".join(cols)], 0
    while size < target:
        row = ",".join(rng.choice([str(rng.randint(0, 10 ** 6)), uuid4(rng), noun(rng), f"{noun(rng)}@example.com",
                                   f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}", sha_hex(rng, 12)]) for _ in cols)
        out.append(row)
        size += len(row) + 1
    return out


def gen_html(rng, target):
    out = ["<!doctype html>", "<html lang=\"en\">", "<head>", "  <meta charset=\"utf-8\">", f"  <title>{noun(rng).capitalize()}</title>",
           f'  <link rel="stylesheet" href="/static/app.{sha_hex(rng, 8)}.css">', "</head>", "<body>"]
    size = 0
    while size < target:
        r = rng.random()
        if r < 0.04:
            b = f'  <form method="post" action="/{rng.choice(["login", "signup", "reset"])}">\n    <label for="email">Email</label>\n    <input id="email" name="email" type="email">\n' \
                f'    <label for="password">Password</label>\n    <input id="password" name="password" type="password" autocomplete="current-password">\n' \
                f'    <input type="hidden" name="csrf_token" value="{{{{ csrf_token }}}}">\n    <button type="submit">Sign in</button>\n  </form>'
        elif r < 0.2:
            b = f'  <img alt="{noun(rng)}" src="data:image/png;base64,{b64(rng, rng.randint(60, 600))}">'
        else:
            b = f'  <div class="{noun(rng)}-{noun(rng)}">\n    <p>{paragraph(rng, 2)}</p>\n  </div>'
        out.append(b)
        size += len(b)
    out += [f'  <script src="/static/main.{sha_hex(rng, 8)}.js"></script>', "</body>", "</html>"]
    return out


# ----------------------------------------------------------------------------------------------
# lockfiles, minified JS, source maps, binaries

def pkg_names(rng, n):
    seen, out = set(), []
    while len(out) < n:
        name = rng.choice(["", "", "", "@babel/", "@types/", "@smithy/", "@aws-sdk/", "@jest/"]) + noun(rng) + rng.choice(["", "-" + noun(rng), "-js", "ify", "-utils", "-core"])
        if name not in seen:
            seen.add(name)
            out.append(name)
    return out


def ver(rng):
    return f"{rng.randint(0, 12)}.{rng.randint(0, 40)}.{rng.randint(0, 20)}"


def gen_lockfile(rng, kind, target):
    if kind == "package-lock":
        pkgs, n = {"": {"name": "app", "version": "1.0.0"}}, max(5, target // 420)
        names = pkg_names(rng, n)
        for name in names:
            v = ver(rng)
            e = {"version": v, "resolved": f"https://registry.npmjs.org/{name}/-/{name.split('/')[-1]}-{v}.tgz",
                 "integrity": "sha512-" + b64(rng, 64)}
            if rng.random() < 0.4:
                e["dependencies"] = {d: "^" + ver(rng) for d in rng.sample(names, min(len(names), rng.randint(1, 4)))}
            if rng.random() < 0.2:
                e["dev"] = True
            pkgs["node_modules/" + name] = e
        return json.dumps({"name": "app", "version": "1.0.0", "lockfileVersion": 3, "requires": True, "packages": pkgs}, indent=2) + "\n"
    if kind == "yarn":
        out = ["# THIS IS AN AUTOGENERATED FILE. DO NOT EDIT THIS FILE DIRECTLY.", "# yarn lockfile v1", ""]
        names = pkg_names(rng, max(5, target // 330))
        for name in names:
            v = ver(rng)
            out.append(f'"{name}@^{v}":\n  version "{v}"\n  resolved "https://registry.yarnpkg.com/{name}/-/{name.split("/")[-1]}-{v}.tgz#{sha_hex(rng, 40)}"\n'
                       f'  integrity sha512-{b64(rng, 64)}')
            if rng.random() < 0.4:
                out.append("  dependencies:\n" + "\n".join(f'    {d} "^{ver(rng)}"' for d in rng.sample(names, min(len(names), rng.randint(1, 4)))))
            out.append("")
        return "\n".join(out) + "\n"
    if kind == "go.sum":
        out = []
        while sum(map(len, out)) < target:
            m = f"github.com/{noun(rng)}{rng.choice(['', 'hq', 'io', 'labs'])}/{noun(rng)}-{rng.choice(['go', 'lib', 'sdk', 'kit'])}"
            v = "v" + ver(rng)
            out.append(f"{m} {v} h1:{b64(rng, 32)}\n{m} {v}/go.mod h1:{b64(rng, 32)}\n")
        return "".join(out)
    if kind == "cargo":
        out = ["# This file is automatically @generated by Cargo.\n# It is not intended for manual editing.\nversion = 4\n"]
        names = [n.replace("@", "").replace("/", "-") for n in pkg_names(rng, max(5, target // 230))]
        for name in names:
            deps = ""
            if rng.random() < 0.5:
                deps = "dependencies = [\n" + "".join(f' "{d}",\n' for d in rng.sample(names, min(len(names), rng.randint(1, 5)))) + "]\n"
            out.append(f'[[package]]\nname = "{name}"\nversion = "{ver(rng)}"\nsource = "registry+https://github.com/rust-lang/crates.io-index"\n'
                       f'checksum = "{sha_hex(rng, 64)}"\n{deps}')
        return "\n".join(out)
    if kind == "gemfile":
        out = ["GEM", "  remote: https://rubygems.org/", "  specs:"]
        for name in pkg_names(rng, max(5, target // 60)):
            out.append(f"    {name.replace('@', '').replace('/', '-')} ({ver(rng)})")
            for _ in range(rng.randint(0, 3)):
                out.append(f"      {noun(rng)} (>= {ver(rng)})")
        out += ["", "PLATFORMS", "  ruby", "  x86_64-linux", "", "BUNDLED WITH", "   2.5.9"]
        return "\n".join(out) + "\n"
    # composer.lock
    pkgs = []
    for name in pkg_names(rng, max(5, target // 1100)):
        n = f"{noun(rng)}/{name.replace('@', '').replace('/', '-')}"
        pkgs.append({"name": n, "version": "v" + ver(rng), "source": {"type": "git", "url": f"https://github.com/{n}.git", "reference": sha_hex(rng, 40)},
                     "dist": {"type": "zip", "url": f"https://api.github.com/repos/{n}/zipball/{sha_hex(rng, 40)}", "reference": sha_hex(rng, 40), "shasum": ""},
                     "require": {"php": ">=8.1"}, "type": "library", "license": ["MIT"], "description": sentence(rng)})
    return json.dumps({"_readme": ["This file locks the dependencies of your project to a known state"], "content-hash": sha_hex(rng, 32),
                       "packages": pkgs}, indent=4) + "\n"


def minjs_piece(rng):
    r = rng.random()
    ids = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_$"
    a, b, c = rng.choice(ids), rng.choice(ids), rng.choice(ids)
    if r < 0.2:
        return f'{rng.randint(1, 9999)}:function({a},{b},{c}){{"use strict";{c}.r({b});var {rng.choice(ids)}={c}({rng.randint(1, 9999)}),{rng.choice(ids)}={c}.n({a});'
    if r < 0.35:
        return f'function {a}{b}({a}){{return {a}&&{a}.__esModule?{a}:{{default:{a}}}}}'
    if r < 0.45:
        f = rng.choice(["id", "name", "email", "type", "value", "data", "key", "children", "props", "state", "options", "url", "locale", "title"] +
                       (["password", "token", "accessToken", "apiKey", "secret", "refreshToken"] if rng.random() < 0.1 else []))
        return f'{a}.{f}=void 0!=={b}.{f}?{b}.{f}:"";'
    if r < 0.46:
        return f'headers:{{Authorization:"Bearer "+{a}.token,"Content-Type":"application/json"}},'
    if r < 0.56:
        return f'{a}.src="data:image/svg+xml;base64,{b64(rng, rng.randint(40, 400))}";'
    if r < 0.65:
        return f'var {a}="{string_literal(rng)}",{b}={rng.randint(0, 99999)};'
    if r < 0.72:
        return f'if(!{a}.{noun(rng)})throw new Error("{log_msg(rng)}");'
    if r < 0.8:
        return f'{a}.prototype.{camel((rng.choice(VERBS), noun(rng)))}=function({b},{c}){{return this._{noun(rng)}.get({b})||{c}}};'
    if r < 0.87:
        return f'{a}=Object.assign({{}},{b},{{{noun(rng)}:!0,{noun(rng)}:{rng.randint(0, 999)}}}),'
    if r < 0.93:
        return f'for(var {a}=0;{a}<{b}.length;{a}++){c}.push({b}[{a}].{noun(rng)});'
    return f'"{sha_hex(rng, 32)}":"{noun(rng)}",'


def gen_minjs(rng, target):
    out = ["/*! For license information please see main.js.LICENSE.txt */\n"]
    single = rng.random() < 0.4
    size, line = 0, []
    line_len = rng.choice([500, 2000, 10000, 32000])
    cur = 0
    while size < target:
        p = minjs_piece(rng)
        line.append(p)
        cur += len(p)
        size += len(p)
        if not single and cur > line_len:
            out.append("".join(line) + "\n")
            line, cur = [], 0
    out.append("".join(line) + "\n//# sourceMappingURL=main.js.map\n")
    return "".join(out)


def gen_sourcemap(rng, target):
    vlq = string.ascii_letters + string.digits + "+/"
    segs = []
    size = 0
    while size < target:
        s = ",".join(rs(rng, vlq, rng.randint(4, 8)) for _ in range(rng.randint(3, 30)))
        segs.append(s)
        size += len(s) + 1
    return json.dumps({"version": 3, "file": "main.js", "sources": [f"webpack:///./src/{noun(rng)}.ts" for _ in range(20)],
                       "names": [camel((rng.choice(VERBS), noun(rng))) for _ in range(50)], "mappings": ";".join(segs)})


def gen_binary(rng, kind, size):
    if kind == "png":
        return (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + rng.randbytes(13) + b"\x00\x00\x00\x00" +
                b"\x00\x01\x00\x00IDAT" + rng.randbytes(max(0, size - 60)) + b"\x00\x00\x00\x00IEND\xaeB`\x82")
    if kind == "jpg":
        return b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + rng.randbytes(max(0, size - 22)) + b"\xff\xd9"
    if kind == "gif":
        return b"GIF89a" + rng.randbytes(max(0, size - 7)) + b";"
    if kind == "woff2":
        return b"wOF2" + rng.randbytes(max(0, size - 4))
    if kind == "zip":
        return b"PK\x03\x04" + rng.randbytes(max(0, size - 4))
    if kind == "pdf":
        return b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + rng.randbytes(max(0, size - 30)) + b"\n%%EOF\n"
    # ELF shared object / executable with string tables
    parts = [b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8]
    n = 16
    while n < size:
        if rng.random() < 0.15:
            s = ("_ZN" + "".join(f"{len(w)}{w}" for w in (noun(rng), rng.choice(VERBS), noun(rng))) + "E\x00").encode()
            if rng.random() < 0.2:
                s = rng.choice([b"password\x00", b"token\x00", b"api_key\x00", b"secret\x00", b"AES-256-GCM\x00", b"Bearer %s\x00"]) + s
        else:
            s = rng.randbytes(rng.randint(32, 512))
        parts.append(s)
        n += len(s)
    return b"".join(parts)[:size]


# ----------------------------------------------------------------------------------------------
# project plans

PROJECT_TYPES = [("python", 3), ("node", 3), ("go", 2), ("java", 2), ("rust", 1), ("c", 1), ("ruby", 1.5), ("php", 1.5), ("infra", 1)]
MAIN_LANG = {"python": "py", "node": "ts", "go": "go", "java": "java", "rust": "rs", "c": "c", "ruby": "rb", "php": "php", "infra": "sh"}


class Planner:
    def __init__(self, rng):
        self.rng = rng
        self.specs = []
        self.paths = set()

    def add(self, path, kind, size, **kw):
        base, ext = os.path.splitext(path)
        i = 2
        while path in self.paths:
            path = f"{base}_{i}{ext}"
            i += 1
        self.paths.add(path)
        spec = {"path": path, "kind": kind, "size": int(size)}
        spec.update(kw)
        self.specs.append(spec)
        return spec


def src_dirs(rng, ptype, name):
    w = lambda: noun(rng)
    if ptype == "python":
        pkg = name.replace("-", "_")
        return [f"{pkg}/{d}" for d in ["", "api", "models", "services", "auth", "utils", w(), w(), f"{w()}/{w()}"]], "tests"
    if ptype == "node":
        return [f"src/{d}" for d in ["", "components", "hooks", "api", "lib", "auth", "store", "pages", w(), w()]] + ["server", "server/routes"], "src/__tests__"
    if ptype == "go":
        return ["cmd/" + name, "internal/auth", "internal/store", "internal/" + w(), "internal/" + w(), "pkg/" + w(), "pkg/" + w()], None
    if ptype == "java":
        base = f"src/main/java/com/acme/{name.replace('-', '')}"
        return [f"{base}/{d}" for d in ["", "controller", "service", "repository", "config", "security", "model", w()]], "src/test/java/com/acme/" + name.replace("-", "")
    if ptype == "rust":
        return ["src", "src/" + w(), "src/" + w(), "src/auth", "crates/" + w() + "/src"], "tests"
    if ptype == "c":
        return ["src", "src/" + w(), "lib", "include"], "tests"
    if ptype == "ruby":
        return ["app/models", "app/controllers", "app/services", "app/jobs", "lib", "lib/" + w(), "config/initializers"], "spec"
    if ptype == "php":
        return ["src/Controller", "src/Service", "src/Entity", "src/Security", "src/" + pascal((w(),)), "app/Http/Middleware"], "tests"
    return ["scripts", "modules/" + w(), "ansible/roles/" + w() + "/files"], None


def plan_project(P, rng, ptype, name, budget):
    root = name
    lang = MAIN_LANG[ptype]
    frac = {"src": 0.6, "doc": 0.05, "cfg": 0.04, "i18n": 0.0, "lock": 0.08, "minjs": 0.0, "bin": 0.09, "misc": 0.04}
    if ptype in ("node", "php", "ruby", "java"):
        frac["minjs"] = 0.2 if ptype == "node" else 0.08
        frac["src"] -= frac["minjs"]
        frac["i18n"] = 0.03
        frac["src"] -= 0.03
    if ptype == "infra":
        frac.update(src=0.3, cfg=0.35, lock=0.0, bin=0.05)
    if ptype == "c":
        frac.update(lock=0.0, src=0.68)
    b = {k: v * budget for k, v in frac.items()}
    dirs, testdir = src_dirs(rng, ptype, name)
    # source files
    spent = 0
    langs = [lang]
    if ptype == "node":
        langs = ["ts", "ts", "js"]
    elif ptype == "c":
        langs = ["c", "c", "h"]
    elif ptype == "infra":
        langs = ["sh", "py"]
    elif ptype in ("python", "go", "ruby"):
        langs = [lang] * 6 + ["sh"]
    while spent < b["src"]:
        l = rng.choice(langs)
        size = lognormal_size(rng, 4500, 0.9, 250, 150_000, b["src"] - spent)
        test = bool(testdir) and rng.random() < 0.22 and l not in ("sh", "h")
        stem = snake((noun(rng),) + ((rng.choice(NOUNS + VERBS),) if rng.random() < 0.5 else ()))
        d = testdir if test else rng.choice(dirs)
        if l == "sh":
            d = "scripts"
        if l == "h":
            d = "include" if ptype == "c" else d
        if l == "java":
            stem = pascal(tuple(stem.split("_"))) + ("Test" if test else rng.choice(["", "Service", "Controller", "Repository", "Config"]))
        elif l == "php":
            stem = pascal(tuple(stem.split("_"))) + ("Test" if test else rng.choice(["", "Service", "Controller"]))
        elif test:
            stem = {"py": f"test_{stem}", "go": f"{stem}_test", "rb": f"{stem}_spec", "js": f"{stem}.test", "ts": f"{stem}.test",
                    "rs": stem, "c": f"test_{stem}"}[l]
        elif l == "go":
            pass
        ext = LANG_EXT[l] if not (l == "ts" and rng.random() < 0.25 and not test) else ".tsx"
        P.add(f"{root}/{d}/{stem}{ext}".replace("//", "/"), "src", size, lang=l, test=test)
        spent += size
    # configs
    cfgs = [("README.md", "doc"), (".gitignore", "gitignore"), ("Dockerfile", "dockerfile"), (".env.example", "env_example"),
            (".github/workflows/ci.yml", "yaml_ci"), ("docker-compose.yml", "yaml_compose")]
    cfgs += {"python": [("pyproject.toml", "toml_pyproject"), ("setup.cfg", "ini"), ("alembic.ini", "ini_alembic"), ("requirements.txt", "requirements")],
             "node": [("package.json", "json_package"), ("tsconfig.json", "json_tsconfig"), (".npmrc", "npmrc_plain")],
             "go": [("go.mod", "gomod"), ("config/config.yaml", "yaml")],
             "java": [("src/main/resources/application.properties", "properties"), ("src/main/resources/application.yml", "yaml"), ("pom.xml", "pom")],
             "rust": [("Cargo.toml", "toml_cargo"), ("config/default.toml", "toml")],
             "c": [("Makefile", "makefile"), ("config/my.cnf", "ini_mycnf")],
             "ruby": [("config/database.yml", "yaml"), ("config/settings.yml", "yaml"), ("Gemfile", "gemfile_src")],
             "php": [("composer.json", "json_package"), ("config/app.json", "json")],
             "infra": [("terraform/main.tf", "tf"), ("terraform/variables.tf", "tf"), ("terraform/rds.tf", "tf"),
                       ("k8s/deployment.yaml", "yaml_k8s"), ("k8s/configmap.yaml", "yaml_k8s"), ("ansible/group_vars/all.yml", "yaml"),
                       ("helm/values.yaml", "yaml"), ("helm/values-prod.yaml", "yaml"), ("openapi.yaml", "yaml_openapi")]}[ptype]
    if rng.random() < 0.5:
        cfgs.append((".env", "env"))
    if rng.random() < 0.5:
        cfgs.append(("config/settings.json", "json"))
    if rng.random() < 0.4:
        cfgs.append((f"deploy/k8s/{noun(rng)}.yaml", "yaml_k8s"))
    if rng.random() < 0.3:
        cfgs.append(("docs/openapi.yaml", "yaml_openapi"))
    if rng.random() < 0.25:
        cfgs.append((f"certs/{rng.choice(['ca', 'server', 'client'])}.crt", "cert"))
    for p, k in cfgs:
        P.add(f"{root}/{p}", "cfg" if k != "doc" else "doc", lognormal_size(rng, 1500 if k != "yaml_openapi" else 30000, 0.7, 200, 120_000), sub=k)
    # docs
    spent = 0
    top_docs = ["CHANGELOG.md", "CONTRIBUTING.md", "SECURITY.md"]
    while spent < b["doc"]:
        size = lognormal_size(rng, 6000, 0.8, 500, 80_000, b["doc"] - spent)
        p = rng.choice(["docs/" + noun(rng) + ".md", "docs/" + rng.choice(["guides", "adr", "api"]) + "/" + noun(rng) + "-" + noun(rng) + ".md"] * 4 + top_docs)
        if p in top_docs:
            top_docs.remove(p)
        P.add(f"{root}/{p}", "doc", size, sub="changelog" if "CHANGELOG" in p else "md")
        spent += size
    # i18n
    if b["i18n"]:
        d = {"node": "src/locales", "ruby": "config/locales", "php": "resources/lang", "java": "src/main/resources/i18n"}[ptype]
        per = max(2000, b["i18n"] / len(LANGS_I18N))
        for lg in LANGS_I18N:
            P.add(f"{root}/{d}/{lg}.json", "i18n", per * rng.uniform(0.7, 1.3), locale=lg)
    # lockfiles
    if b["lock"]:
        kinds = {"python": [("poetry.lock", "cargo")], "node": [("package-lock.json", "package-lock"), ("yarn.lock", "yarn")],
                 "go": [("go.sum", "go.sum")], "java": [("gradle.lockfile", "go.sum")], "rust": [("Cargo.lock", "cargo")],
                 "ruby": [("Gemfile.lock", "gemfile"), ("package-lock.json", "package-lock")], "php": [("composer.lock", "composer"), ("yarn.lock", "yarn")]}[ptype]
        for p, k in kinds:
            P.add(f"{root}/{p}", "lock", b["lock"] / len(kinds) * rng.uniform(0.5, 1.5), sub=k)
    # minified bundles + maps
    spent = 0
    while spent < b["minjs"]:
        size = lognormal_size(rng, 500_000, 0.8, 50_000, 4_000_000, b["minjs"] - spent)
        d = {"node": "dist/assets", "php": "public/js", "ruby": "public/packs/js", "java": "src/main/resources/static/js"}[ptype]
        stem = f"{rng.choice(['main', 'vendor', 'app', 'chunk-' + sha_hex(rng, 8), 'runtime', 'polyfills'])}.{sha_hex(rng, 8)}"
        P.add(f"{root}/{d}/{stem}.min.js", "minjs", size)
        spent += size
        if rng.random() < 0.35 and spent < b["minjs"]:
            P.add(f"{root}/{d}/{stem}.min.js.map", "sourcemap", size * 0.8)
            spent += size * 0.8
    # binaries
    spent = 0
    while spent < b["bin"]:
        kind = rng.choice(["png", "png", "jpg", "gif", "woff2", "zip", "pdf", "elf"])
        size = lognormal_size(rng, {"png": 25_000, "jpg": 60_000, "gif": 8_000, "woff2": 40_000, "zip": 300_000, "pdf": 200_000, "elf": 400_000}[kind], 1.0, 200, 5_000_000, b["bin"] - spent)
        d = {"png": "assets/img", "jpg": "assets/img", "gif": "assets/img", "woff2": "assets/fonts", "zip": "vendor", "pdf": "docs/assets", "elf": "bin"}[kind]
        ext = {"elf": rng.choice([".so", "", ".bin"])}.get(kind, "." + kind)
        P.add(f"{root}/{d}/{noun(rng)}-{noun(rng)}{ext}", "bin", size, sub=kind)
        spent += size
    # misc data
    spent = 0
    while spent < b["misc"]:
        k = rng.choice(["sql", "csv", "html", "html"])
        size = lognormal_size(rng, 8000, 0.9, 300, 300_000, b["misc"] - spent)
        p = {"sql": f"migrations/{rng.randint(1, 999):04d}_{rng.choice(VERBS)}_{noun(rng)}.sql", "csv": f"fixtures/{noun(rng)}s.csv",
             "html": f"templates/{noun(rng)}.html"}[k]
        P.add(f"{root}/{p}", k, size)
        spent += size


PLACEMENT_FILES = {
    # placement -> (predicate on spec, factory path template, spec kwargs)
    "py": (lambda s: s["kind"] == "src" and s["lang"] == "py", "app/settings_{n}.py", {"kind": "src", "lang": "py", "test": False}),
    "js": (lambda s: s["kind"] == "src" and s["lang"] == "js", "server/config_{n}.js", {"kind": "src", "lang": "js", "test": False}),
    "ts": (lambda s: s["kind"] == "src" and s["lang"] == "ts", "src/lib/client_{n}.ts", {"kind": "src", "lang": "ts", "test": False}),
    "go": (lambda s: s["kind"] == "src" and s["lang"] == "go", "internal/config/config_{n}.go", {"kind": "src", "lang": "go", "test": False}),
    "java": (lambda s: s["kind"] == "src" and s["lang"] == "java", "src/main/java/com/acme/Config{n}.java", {"kind": "src", "lang": "java", "test": False}),
    "rb": (lambda s: s["kind"] == "src" and s["lang"] == "rb", "app/services/client_{n}.rb", {"kind": "src", "lang": "rb", "test": False}),
    "php": (lambda s: s["kind"] == "src" and s["lang"] == "php", "src/Service/Client{n}.php", {"kind": "src", "lang": "php", "test": False}),
    "sh": (lambda s: s["kind"] == "src" and s["lang"] == "sh", "scripts/deploy_{n}.sh", {"kind": "src", "lang": "sh", "test": False}),
    "env": (lambda s: s.get("sub") == "env", ".env.{d}", {"kind": "cfg", "sub": "env"}),
    "yaml": (lambda s: s.get("sub") == "yaml", "config/{d}.yml", {"kind": "cfg", "sub": "yaml"}),
    "yaml_ci": (lambda s: s.get("sub") == "yaml_ci", ".github/workflows/{d}.yml", {"kind": "cfg", "sub": "yaml_ci"}),
    "yaml_k8s": (lambda s: s.get("sub") == "yaml_k8s", "k8s/{d}.yaml", {"kind": "cfg", "sub": "yaml_k8s"}),
    "json": (lambda s: s.get("sub") == "json", "config/{d}.json", {"kind": "cfg", "sub": "json"}),
    "md": (lambda s: s["kind"] == "doc" and s.get("sub") == "md", "docs/{d}.md", {"kind": "doc", "sub": "md"}),
    "dockerfile": (lambda s: s.get("sub") == "dockerfile", "docker/{d}.Dockerfile", {"kind": "cfg", "sub": "dockerfile"}),
    "properties": (lambda s: s.get("sub") == "properties", "config/{d}.properties", {"kind": "cfg", "sub": "properties"}),
    "tf": (lambda s: s.get("sub") == "tf", "terraform/{d}.tf", {"kind": "cfg", "sub": "tf"}),
    "npmrc": (lambda s: False, ".npmrc", {"kind": "cfg", "sub": "npmrc"}),
    "awscreds": (lambda s: False, "deploy/{d}/.aws/credentials", {"kind": "cfg", "sub": "awscreds"}),
    "pemfile": (lambda s: False, "{c}/{k}.pem", {"kind": "cfg", "sub": "pemfile"}),
    "json_sa": (lambda s: False, "config/{d}-service-account.json", {"kind": "cfg", "sub": "json_sa"}),
}


def make_plan(size_mb, seed):
    rng = random.Random(f"keyaudit-bench/{seed}/plan")
    total = size_mb * MB * 1.05  # budgets are capped per file and end a little short: aim slightly high
    nproj = max(3, round(size_mb / 8))
    P = Planner(rng)
    names = []
    weights = [rng.lognormvariate(0, 0.6) for _ in range(nproj)]
    for i in range(nproj):
        ptype = rng.choices([t for t, _ in PROJECT_TYPES], [w for _, w in PROJECT_TYPES])[0]
        name = f"{noun(rng)}-{rng.choice(NOUNS + ['service', 'api', 'web', 'cli', 'core'])}"
        while name in names:
            name += "-" + str(i)
        names.append(name)
        plan_project(P, rng, ptype, name, total * weights[i] / sum(weights))
    # plants
    nplant = max(28, min(300, round(size_mb * 2 / 3)))
    types = list(SECRET_TYPES)
    plants = []
    used = set()
    for i in range(nplant):
        typ = types[i % len(types)]
        pl = rng.choice(SECRET_TYPES[typ][2])
        pred, tmpl, kw = PLACEMENT_FILES[pl]
        cands = [j for j, s in enumerate(P.specs) if j not in used and pred(s)]
        if cands and rng.random() < 0.85:
            j = rng.choice(cands)
        else:
            proj = rng.choice(names)
            path = f"{proj}/" + tmpl.format(n=i, d=rng.choice(["prod", "staging", "deploy", "local", "ci", noun(rng)]), k=rng.choice(["id_rsa", "server", "signing", "deploy"]),
                                               c=rng.choice(["certs", "deploy/keys", "config/ssl", ".ssh", "secrets"]))
            if pl == "pemfile" and rng.random() < 0.5:
                path = path[:-4] + rng.choice(["", ".key"])
            size = 3000 if kw["kind"] == "src" else 800
            P.add(path, size=size, **kw)
            j = len(P.specs) - 1
        used.add(j)
        val, val2 = make_secret(rng, typ, seed, i)
        plant = {"type": typ, "family": SECRET_TYPES[typ][0], "placement": pl, "secret": val}
        if val2:
            plant["secret2"] = val2
        P.specs[j].setdefault("plants", []).append(plant)
        plants.append((j, plant))
    return P.specs, plants


# ----------------------------------------------------------------------------------------------
# rendering one file

def insert_blocks(rng, chunks, lines, indent="", lo=1):
    """Insert a planted snippet between chunks (never before chunk `lo` or after the footer)."""
    hi = max(lo, len(chunks) - 1)
    pos = rng.randint(lo, hi)
    snippet = "\n" + "\n".join(lines) + "\n\n"
    chunks.insert(pos, snippet)


def render(spec, seed, keys):
    rng = random.Random(f"keyaudit-bench/{seed}/file/{spec['path']}")
    kind, size = spec["kind"], spec["size"]
    # auth/config/security modules talk about keys, tokens and passwords all the time; other code rarely
    local = "/".join(spec["path"].lower().split("/")[1:][-2:])  # parent dir and name, not the project name
    hot = any(w in local for w in ("auth", "secur", "token", "credential", "secret", "password", "login", "crypto",
                                   "jwt", "oauth", "config", "settings")) or rng.random() < 0.03
    KW_RATE[0] = 0.05 if hot else 0.004
    FLAVOR_RATE[0] = 0.6 if hot else 0.03
    plants = spec.get("plants", [])
    for p in plants:
        if isinstance(p["secret"], list):  # ["@rsa", seed]
            p["secret"] = keys[p["secret"][1]]
    data = None
    if kind == "src":
        if spec["lang"] == "sh":
            chunks, indent = gen_shell(rng, size)
        else:
            chunks, indent = gen_source(rng, spec["lang"], size, spec["test"], spec["path"])
        for p in plants:
            insert_blocks(rng, chunks, plant_lines(rng, p, indent), indent)
        data = "".join(chunks)
    elif kind == "cfg":
        data = render_cfg(rng, spec, plants)
    elif kind == "doc":
        blocks = gen_changelog(rng, size) if spec.get("sub") == "changelog" else gen_markdown(rng, size)
        for p in plants:
            blocks.insert(rng.randint(1, len(blocks)), "\n".join(plant_lines(rng, p)) + "\n")
        data = "\n".join(blocks)
    elif kind == "i18n":
        data = json.dumps(gen_i18n(rng, spec["locale"], size), ensure_ascii=False, indent=2) + "\n"
    elif kind == "lock":
        data = gen_lockfile(rng, spec["sub"], size)
    elif kind == "minjs":
        data = gen_minjs(rng, size)
    elif kind == "sourcemap":
        data = gen_sourcemap(rng, size)
    elif kind == "bin":
        data = gen_binary(rng, spec["sub"], size)
    elif kind == "sql":
        data = "".join(gen_sql(rng, size))
    elif kind == "csv":
        data = "\n".join(gen_csv(rng, size)) + "\n"
    elif kind == "html":
        data = "\n".join(gen_html(rng, size)) + "\n"
    else:
        raise ValueError(kind)
    raw = data if isinstance(data, bytes) else data.encode("utf-8")
    found = []
    if plants:
        text = data
        for p in plants:
            v = p["secret"]
            needle = v.split("\n")[1] if "\n" in v else v
            if needle not in text:
                needle = needle.replace("\n", "\\n")
            idx = text.index(needle)
            start = idx
            if v.startswith("-----BEGIN"):
                start = text.rfind("-----BEGIN", 0, idx)
            end = idx + len(needle)
            if v.startswith("-----BEGIN"):
                end = text.index("-----END", idx)
            if p.get("secret2"):
                end = text.index(p["secret2"], idx)
            rec = {"path": spec["path"], "line": text.count("\n", 0, start) + 1, "end_line": text.count("\n", 0, end) + 1,
                   "type": p["type"], "family": p["family"], "placement": p["placement"], "secret": v}
            if p.get("secret2"):
                rec["secret2"] = p["secret2"]
            found.append(rec)
    return raw, found


def render_cfg(rng, spec, plants):
    sub, size = spec["sub"], spec["size"]
    pls = [plant_lines(rng, p) for p in plants if p["placement"] not in ("json", "json_sa", "pemfile")]

    def with_blocks(blocks, lo=1, sep="\n"):
        # planted snippets get a blank line on each side, so that a finding on a neighbouring
        # (decoy) line is never within the +-1 line tolerance of run.sh
        for ls in pls:
            blocks.insert(rng.randint(min(lo, len(blocks)), len(blocks)), "\n" + "\n".join(ls) + "\n\n")
        return sep.join(b if b.endswith("\n") else b + "\n" for b in blocks)

    if sub == "yaml":
        return with_blocks(gen_yaml_blocks(rng, size, "app"), 0)
    if sub == "yaml_ci":
        blocks = gen_yaml_blocks(rng, size, "ci")
        return with_blocks(blocks, 1)
    if sub == "yaml_compose":
        return with_blocks(gen_yaml_blocks(rng, size, "compose"))
    if sub == "yaml_openapi":
        return with_blocks(gen_yaml_blocks(rng, size, "openapi"))
    if sub == "yaml_k8s":
        return with_blocks(gen_yaml_blocks(rng, size, "k8s"), 0)
    if sub in ("json", "json_package", "json_tsconfig"):
        doc = gen_json_config(rng, size, {"json": "app", "json_package": "package", "json_tsconfig": "tsconfig"}[sub])
        for p in plants:
            K = rng.choice(SECRET_TYPES[p["type"]][1])
            items = list(doc.items())
            items.insert(rng.randint(0, len(items)), (camel(tuple(K.lower().split("_"))), p["secret"]))
            doc = dict(items)
        return json.dumps(doc, indent=2) + "\n"
    if sub == "json_sa":
        p = plants[0]
        proj = f"{noun(rng)}-{noun(rng)}-{rng.randint(100000, 999999)}"
        return json.dumps({"type": "service_account", "project_id": proj, "private_key_id": sha_hex(rng, 40), "private_key": p["secret"] + "\n",
                           "client_email": f"deploy@{proj}.iam.gserviceaccount.com", "client_id": str(rng.randint(10 ** 20, 10 ** 21)),
                           "auth_uri": "https://accounts.google.com/o/oauth2/auth", "token_uri": "https://oauth2.googleapis.com/token"}, indent=2) + "\n"
    if sub == "pemfile":
        return plants[0]["secret"] + "\n"
    if sub == "cert":
        return "\n".join(fake_cert_pem(rng) for _ in range(rng.randint(1, 3))) + "\n"
    if sub in ("env", "env_example"):
        return with_blocks([l + "\n" for l in gen_env(rng, sub == "env_example")], 0, "")
    if sub == "properties":
        return with_blocks([l + "\n" for l in gen_properties(rng)], 1, "")
    if sub == "dockerfile":
        return with_blocks([l + "\n" for l in gen_dockerfile(rng)], 2, "")
    if sub == "tf":
        return with_blocks(gen_tf(rng), 1)
    if sub == "npmrc":
        return with_blocks([], 0)
    if sub == "npmrc_plain":
        return "registry=https://registry.npmjs.org/\n//registry.npmjs.org/:_authToken=${NPM_TOKEN}\n"
    if sub == "awscreds":
        return with_blocks([f"[{rng.choice(['staging', 'dev', 'ci'])}]\nregion = us-east-2\nrole_arn = arn:aws:iam::{rng.randint(10 ** 11, 10 ** 12 - 1)}:role/deploy\nsource_profile = default\n"], 0)
    if sub.startswith("toml"):
        return with_blocks(gen_toml(rng, sub[5:] if "_" in sub else "app"))
    if sub.startswith("ini"):
        return with_blocks(gen_ini(rng, sub[4:] if "_" in sub else "setup"))
    if sub == "gitignore":
        return "node_modules/\n__pycache__/\n*.pyc\n/target/\n/build/\n*.log\n.DS_Store\ncoverage/\n"
    if sub == "requirements":
        return "".join(f"{noun(rng)}-{noun(rng)}=={ver(rng)}\n" for _ in range(rng.randint(5, 30)))
    if sub == "gomod":
        return f"module github.com/acme/{noun(rng)}\n\ngo 1.22\n\nrequire (\n" + "".join(
            f"\tgithub.com/{noun(rng)}/{noun(rng)} v{ver(rng)}\n" for _ in range(rng.randint(3, 20))) + ")\n"
    if sub == "gemfile_src":
        return "source 'https://rubygems.org'\n\n" + "".join(f"gem '{noun(rng)}', '~> {rng.randint(1, 7)}.{rng.randint(0, 9)}'\n" for _ in range(rng.randint(5, 25)))
    if sub == "makefile":
        return ".PHONY: all test clean\n\nCC ?= cc\nCFLAGS ?= -O2 -Wall -Wextra\n\nall: build/app\n\nbuild/app: $(wildcard src/*.c)\n\t$(CC) $(CFLAGS) -Iinclude -o $@ $^ -lcrypto\n\ntest:\n\t./tests/run.sh\n\nclean:\n\trm -rf build\n"
    if sub == "pom":
        deps = "".join(f"    <dependency>\n      <groupId>org.{noun(rng)}</groupId>\n      <artifactId>{noun(rng)}-{noun(rng)}</artifactId>\n      <version>{ver(rng)}</version>\n    </dependency>\n" for _ in range(rng.randint(3, 20)))
        return f'<?xml version="1.0" encoding="UTF-8"?>\n<project xmlns="http://maven.apache.org/POM/4.0.0">\n  <modelVersion>4.0.0</modelVersion>\n  <groupId>com.acme</groupId>\n  <artifactId>{noun(rng)}</artifactId>\n  <version>1.0.0</version>\n  <dependencies>\n{deps}  </dependencies>\n</project>\n'
    raise ValueError(sub)


def render_and_write(args):
    spec, seed, keys, outdir = args
    raw, found = render(spec, seed, keys)
    path = os.path.join(outdir, spec["path"])
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as fh:
        fh.write(raw)
    return len(raw), found


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("outdir")
    ap.add_argument("--size-mb", type=float, default=300)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--force", action="store_true", help="remove OUTDIR first if it exists")
    a = ap.parse_args()
    outdir = os.path.abspath(a.outdir.rstrip("/"))
    manifest = outdir + ".planted.json"
    if os.path.exists(outdir) and os.listdir(outdir):
        if not a.force:
            sys.exit(f"{outdir} exists and is not empty (use --force to regenerate)")
        shutil.rmtree(outdir)
    if os.path.exists(manifest):
        os.remove(manifest)
    os.makedirs(outdir, exist_ok=True)
    t0 = time.time()
    specs, plants = make_plan(a.size_mb, a.seed)
    # RSA keys for the planted private keys, deterministic per plant
    # (JSON service-account keys are PKCS#8 like the real ones, the others PKCS#1)
    key_jobs = sorted((p["secret"][1], p["placement"] == "json_sa") for _, p in plants if isinstance(p["secret"], tuple))
    for _, p in plants:
        if isinstance(p["secret"], tuple):
            p["secret"] = list(p["secret"])
    with Pool(a.jobs) as pool:
        keys = dict(zip([k for k, _ in key_jobs], pool.starmap(rsa_pem, key_jobs)))
        total, records = 0, []
        order = sorted(range(len(specs)), key=lambda i: -specs[i]["size"])  # big files first: better balance
        for n, found in pool.imap_unordered(render_and_write, [(specs[i], a.seed, keys, outdir) for i in order], chunksize=16):
            total += n
            records.extend(found)
    records.sort(key=lambda r: (r["path"], r["line"]))
    doc = {"generator": "bench/gen_corpus.py", "version": GEN_VERSION, "seed": a.seed, "size_mb": a.size_mb, "files": len(specs),
           "bytes": total, "planted_count": len(records), "planted": records}
    tmp = manifest + ".tmp"
    with open(tmp, "w") as fh:
        json.dump(doc, fh, indent=1)
    os.replace(tmp, manifest)
    print(f"wrote {len(specs)} files, {total / MB:.1f} MB, {len(records)} planted secrets to {outdir} "
          f"(manifest {manifest}) in {time.time() - t0:.1f}s", file=sys.stderr)


if __name__ == "__main__":
    main()
