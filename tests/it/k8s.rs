//! Acceptance tests for Kubernetes Secrets judged by content: keys and certificates generated at
//! test time by openssl, written as kubectl, JSON, Helm values and kustomize write them, scanned by
//! the real binary. A private key must be the parsed critical key paired with its certificate, a
//! certificate a note, a dummy nothing, and every other value its own high finding at its place.

use crate::common;

use crate::common::openssl;
use crate::common::{json, random_base62, run_in};
use serde_json::Value;
use std::path::Path;

/// A key pair and its self-signed certificate, made by openssl, with openssl's own SPKI hash.
struct Tls {
    key: String,
    cert: String,
    spki: String,
}

fn tls(algorithm: &str) -> Tls {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let newkey = match algorithm {
        "rsa" => "rsa:2048",
        _ => "ec",
    };
    let mut args = vec!["req", "-x509", "-newkey", newkey];
    if newkey == "ec" {
        args.extend(["-pkeyopt", "ec_paramgen_curve:P-256"]);
    }
    args.extend([
        "-nodes",
        "-keyout",
        "k.pem",
        "-out",
        "c.pem",
        "-days",
        "30",
        "-subj",
        "/CN=shop.test",
    ]);
    openssl(d, &args);
    openssl(
        d,
        &[
            "pkey", "-in", "k.pem", "-pubout", "-outform", "DER", "-out", "spki.der",
        ],
    );
    let digest = openssl(d, &["dgst", "-sha256", "-r", "spki.der"]);
    let spki = String::from_utf8_lossy(&digest)
        .split_whitespace()
        .next()
        .unwrap()
        .to_string();
    let read = |n: &str| std::fs::read_to_string(d.join(n)).unwrap();
    Tls {
        key: read("k.pem"),
        cert: read("c.pem"),
        spki,
    }
}

fn b64(s: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(s)
}

fn indent(text: &str, by: usize) -> String {
    let pad = " ".repeat(by);
    text.lines().map(|l| format!("{pad}{l}\n")).collect()
}

/// One finding, as the tests look at it.
#[derive(Debug, Clone, PartialEq)]
struct Hit {
    path: String,
    line: u64,
    column: u64,
    rule: String,
    severity: String,
    spki: Option<String>,
}

fn scan(dir: &Path) -> Vec<Hit> {
    let r = run_in(dir, &["scan", "-f", "json", "-q", "."]);
    assert!(matches!(r.code, 0 | 1), "exit {}: {}", r.code, r.stderr);
    let report = json(&r);
    common::assert_schema_valid(&report);
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| Hit {
            path: f["location"]["path"].as_str().unwrap().to_string(),
            line: f["location"]["start"]["line"].as_u64().unwrap(),
            column: f["location"]["start"]["column"].as_u64().unwrap(),
            rule: f["rule_id"].as_str().unwrap().to_string(),
            severity: f["severity"].as_str().unwrap().to_string(),
            spki: f["crypto"]["spki_sha256"].as_str().map(str::to_string),
        })
        .collect()
}

/// 1-based line and column where `needle` first starts in `text`.
fn place(text: &str, needle: &str) -> (u64, u64) {
    let at = text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} not in the file"));
    let before = &text[..at];
    let line = before.matches('\n').count() as u64 + 1;
    let column = before.rsplit('\n').next().unwrap().chars().count() as u64 + 1;
    (line, column)
}

/// Write `files` into a fresh directory.
fn tree(files: &[(&str, &str)]) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    for (path, text) in files {
        let p = tmp.path().join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    tmp
}

/// The file holds exactly the key (critical, parsed, at `key_at`) and its certificate (a note,
/// at `cert_at`), no Secret-rule finding, and the inventory pairs them by openssl's SPKI.
fn assert_key_and_cert(name: &str, text: &str, t: &Tls, key_at: &str, cert_at: &str) {
    let dir = tree(&[(name, text)]);
    let hits = scan(dir.path());
    let (kl, kc) = place(text, key_at);
    let (cl, cc) = place(text, cert_at);
    let spki = Some(t.spki.clone());
    let key = |h: &Hit| h.rule == "crypto-private-key" && h.severity == "critical";
    let cert = |h: &Hit| h.rule == "crypto-certificate" && h.severity == "note";
    assert_eq!(hits.len(), 2, "{name}: {hits:#?}");
    assert!(
        hits.iter()
            .any(|h| key(h) && (h.line, h.column) == (kl, kc) && h.spki == spki),
        "{name}: no critical key at {kl}:{kc}: {hits:#?}"
    );
    assert!(
        hits.iter()
            .any(|h| cert(h) && (h.line, h.column) == (cl, cc) && h.spki == spki),
        "{name}: no certificate note at {cl}:{cc}: {hits:#?}"
    );
    let r = run_in(dir.path(), &["inventory", ".", "-f", "json", "-q"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let inv: Value = serde_json::from_str(&r.stdout).unwrap();
    let entries = inv["entries"].as_array().unwrap();
    let entry = |kind: &str| {
        entries
            .iter()
            .find(|e| e["kind"] == kind)
            .unwrap_or_else(|| panic!("{name}: no {kind} in {entries:#?}"))
    };
    let (k, c) = (entry("private-key"), entry("certificate"));
    assert_eq!(k["spki_sha256"], t.spki.as_str());
    assert_eq!(k["paired"], serde_json::json!([c["id"]]), "{name}");
}

#[test]
fn tls_secret_keeps_key_and_certificate_in_either_order() {
    let t = tls("rsa");
    let (crt, key) = (b64(&t.cert), b64(&t.key));
    for (first, second) in [("tls.crt", "tls.key"), ("tls.key", "tls.crt")] {
        let val = |k: &str| if k == "tls.crt" { &crt } else { &key };
        // kubectl's layout: data before kind.
        let yaml = format!(
            "apiVersion: v1\ndata:\n  {first}: {}\n  {second}: {}\nkind: Secret\nmetadata:\n  name: web-tls\ntype: kubernetes.io/tls\n",
            val(first),
            val(second)
        );
        assert_key_and_cert("deploy/tls.yaml", &yaml, &t, &key, &crt);
        let json = format!(
            "{{\n  \"apiVersion\": \"v1\",\n  \"data\": {{\n    \"{first}\": \"{}\",\n    \"{second}\": \"{}\"\n  }},\n  \"kind\": \"Secret\",\n  \"type\": \"kubernetes.io/tls\"\n}}\n",
            val(first),
            val(second)
        );
        assert_key_and_cert("deploy/tls.json", &json, &t, &key, &crt);
    }
}

#[test]
fn helm_values_with_tls_pem_blocks_or_base64() {
    let t = tls("ec");
    let block = format!(
        "ingress:\n  enabled: true\n  tls:\n    tls.crt: |\n{}    tls.key: |\n{}",
        indent(&t.cert, 6),
        indent(&t.key, 6)
    );
    let cert_line = t.cert.lines().next().unwrap();
    let key_line = t.key.lines().next().unwrap();
    assert_key_and_cert("chart/values.yaml", &block, &t, key_line, cert_line);
    let encoded = format!(
        "secret:\n  create: true\n  tls.key: {}\n  tls.crt: {}\n",
        b64(&t.key),
        b64(&t.cert)
    );
    assert_key_and_cert(
        "chart/values-prod.yaml",
        &encoded,
        &t,
        &b64(&t.key),
        &b64(&t.cert),
    );
}

#[test]
fn a_certificate_in_a_configmap_is_a_note_only() {
    let t = tls("ec");
    let text = format!(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: trust\ndata:\n  ca.crt: |\n{}  LOG_LEVEL: info\n  release: {}\n",
        indent(&t.cert, 4),
        b64(&random_base62(7, 24))
    );
    let dir = tree(&[("k8s/trust.yaml", &text)]);
    let (line, column) = place(&text, "-----BEGIN");
    let cert = Hit {
        path: "k8s/trust.yaml".into(),
        line,
        column,
        rule: "crypto-certificate".into(),
        severity: "note".into(),
        spki: Some(t.spki.clone()),
    };
    assert_eq!(scan(dir.path()), [cert]);
    // The same file as a Secret: the certificate is still a note, the other value a finding.
    let secret = text.replace("kind: ConfigMap", "kind: Secret");
    let dir = tree(&[("k8s/trust.yaml", &secret)]);
    let rules: Vec<String> = scan(dir.path()).into_iter().map(|h| h.rule).collect();
    assert_eq!(rules, ["crypto-certificate", "kubernetes-secret-data"]);
}

#[test]
fn the_same_certificate_under_two_keys_is_two_notes() {
    // cert-manager's self-signed issuers write the certificate as both tls.crt and ca.crt.
    let t = tls("ec");
    let crt = b64(&t.cert);
    let text = format!(
        "apiVersion: v1\ndata:\n  ca.crt: {crt}\n  tls.crt: {crt}\n  tls.key: {}\nkind: Secret\ntype: kubernetes.io/tls\n",
        b64(&t.key)
    );
    let dir = tree(&[("tls.yaml", &text)]);
    let got: Vec<(u64, String)> = scan(dir.path())
        .into_iter()
        .map(|h| (h.line, h.rule))
        .collect();
    assert_eq!(
        got,
        [
            (3, "crypto-certificate".into()),
            (4, "crypto-certificate".into()),
            (5, "crypto-private-key".into()),
        ]
    );
}

#[test]
fn dummy_empty_and_templated_values_are_nothing() {
    let text = format!(
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: app\ndata:\n  api-key: {}\n  password: {}\n  empty: \"\"\n  admin: {}\n  templated: {{{{ .Values.password | b64enc }}}}\nstringData:\n  token: changeme\n  key: TESTKEY2\n  other: ${{OTHER}}\n  pin: \"1234\"\n",
        b64("TESTKEY2"),
        b64("changeme"),
        b64("xxxxxxxxxxxx"),
    );
    let dir = tree(&[("k8s/app-secret.yaml", &text)]);
    assert_eq!(scan(dir.path()), []);
}

#[test]
fn each_real_value_is_one_high_finding_at_its_place() {
    let (password, token, api) = (
        random_base62(11, 18),
        random_base62(12, 40),
        random_base62(13, 32),
    );
    let yaml = format!(
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\ntype: Opaque\ndata:\n  password: {}\n  token: {}\nstringData:\n  API_KEY: \"{api}\"\n  DB_USER: orders\n",
        b64(&password),
        b64(&token)
    );
    // The same password twice (two keys of one Secret): still two findings.
    let json = format!(
        "{{\"kind\": \"Secret\", \"data\": {{\"a\": \"{0}\", \"b\": \"{0}\"}}}}",
        b64(&password)
    );
    let dir = tree(&[("k8s/db.yaml", &yaml), ("k8s/db.json", &json)]);
    let mut hits = scan(dir.path());
    hits.sort_by(|a, b| (&a.path, a.line, a.column).cmp(&(&b.path, b.line, b.column)));
    let expect = |path: &str, text: &str, needle: &str, rule: &str| {
        let (line, column) = place(text, needle);
        Hit {
            path: path.into(),
            line,
            column,
            rule: rule.into(),
            severity: "high".into(),
            spki: None,
        }
    };
    let pw = b64(&password);
    let second = json.rfind(&pw).unwrap() as u64 + 1;
    let mut json_b = expect("k8s/db.json", &json, &pw, "kubernetes-secret-data");
    json_b.column = second;
    assert_eq!(
        hits,
        [
            expect("k8s/db.json", &json, &pw, "kubernetes-secret-data"),
            json_b,
            expect("k8s/db.yaml", &yaml, &pw, "kubernetes-secret-data"),
            expect("k8s/db.yaml", &yaml, &b64(&token), "kubernetes-secret-data"),
            expect("k8s/db.yaml", &yaml, &api, "kubernetes-secret-string-data"),
        ]
    );
}

#[test]
fn multi_document_files_and_lists_report_secrets_only() {
    let (a, b, c) = (
        random_base62(21, 20),
        random_base62(22, 20),
        random_base62(23, 20),
    );
    let multi = format!(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\ndata:\n  token: {}\n---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: s\ndata:\n  token: {}\n",
        b64(&a),
        b64(&b)
    );
    let list = format!(
        "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Secret\n  metadata:\n    name: one\n  data:\n    token: {}\n- apiVersion: v1\n  data:\n    token: {}\n  kind: Secret\n  metadata:\n    name: two\n",
        b64(&b),
        b64(&c)
    );
    let kustomize = format!(
        "secretGenerator:\n- name: app\n  literals:\n  - DB_PASSWORD={a}\n  - MODE=debug\nconfigMapGenerator:\n- name: cfg\n  literals:\n  - TOKEN={c}\n"
    );
    let dir = tree(&[
        ("multi.yaml", &multi),
        ("list.yaml", &list),
        ("kustomization.yaml", &kustomize),
    ]);
    let hits = scan(dir.path());
    // One finding per value: a Secret value is not also a generic rule's finding.
    let mut places: Vec<(&str, u64)> = hits.iter().map(|h| (h.path.as_str(), h.line)).collect();
    places.sort();
    places.dedup();
    assert_eq!(places.len(), hits.len(), "{hits:#?}");
    // ConfigMap values may still be generic rules' findings (a token is a token), never the
    // Secret rules'.
    let mut got: Vec<(String, u64, String)> = hits
        .into_iter()
        .filter(|h| h.rule.starts_with("kubernetes-secret"))
        .map(|h| (h.path, h.line, h.rule))
        .collect();
    got.sort();
    let data = "kubernetes-secret-data".to_string();
    assert_eq!(
        got,
        [
            (
                "kustomization.yaml".into(),
                place(&kustomize, &a).0,
                "kubernetes-secret-string-data".into()
            ),
            ("list.yaml".into(), place(&list, &b64(&b)).0, data.clone()),
            ("list.yaml".into(), place(&list, &b64(&c)).0, data.clone()),
            ("multi.yaml".into(), place(&multi, &b64(&b)).0, data),
        ]
    );
}

#[test]
fn a_commented_out_private_key_is_a_parsed_key() {
    let t = tls("ec");
    let hash = format!(
        "apiVersion: v1\nkind: ConfigMap\n# old key, kept for reference:\n{}",
        indent(&t.key, 0)
            .lines()
            .map(|l| format!("# {l}\n"))
            .collect::<String>()
    );
    let slashes: String = t.key.lines().map(|l| format!("  // {l}\n")).collect();
    let slashes = format!("function key() {{\n{slashes}}}\n");
    let dir = tree(&[("old.yaml", &hash), ("src/key.js", &slashes)]);
    let hits = scan(dir.path());
    assert_eq!(hits.len(), 2, "{hits:#?}");
    for (path, text) in [("old.yaml", &hash), ("src/key.js", &slashes)] {
        let (line, column) = place(text, "-----BEGIN");
        assert!(
            hits.iter().any(|h| h.path == path
                && h.rule == "crypto-private-key"
                && h.severity == "critical"
                && (h.line, h.column) == (line, column)
                && h.spki.as_deref() == Some(t.spki.as_str())),
            "{path}: {hits:#?}"
        );
    }
}
