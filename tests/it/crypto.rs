//! Acceptance tests for `keyaudit::detect::crypto`: every fixture in `fixtures/crypto` (generated
//! by `fixtures/crypto/generate.sh`) is parsed and checked against `expected.tsv`, whose
//! fingerprints come from openssl / ssh-keygen; pairing across formats; certificate and keystore
//! details; placeholders; malformed input never panics.

use crate::common::Rng;
use keyaudit::detect::crypto::{self, CryptoInfo, CryptoItem, KEYWORDS, Kind, RULES};
use keyaudit::model::Severity;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/crypto")
}

fn read(name: &str) -> Vec<u8> {
    std::fs::read(dir().join(name)).unwrap_or_else(|e| panic!("fixture {name}: {e}"))
}

fn detect(name: &str) -> Vec<CryptoItem> {
    crypto::detect(name, &read(name))
}

/// Items of one kind (and format, unless `None`), in blob order.
fn of<'a>(items: &'a [CryptoItem], kind: Kind, format: Option<&str>) -> Vec<&'a CryptoInfo> {
    items
        .iter()
        .map(|i| &i.info)
        .filter(|i| i.kind == kind && format.is_none_or(|f| i.format == f))
        .collect()
}

fn one(items: &[CryptoItem], kind: Kind) -> &CryptoInfo {
    let found = of(items, kind, None);
    assert_eq!(found.len(), 1, "expected one {kind:?} in {items:#?}");
    found[0]
}

fn spki(name: &str, kind: Kind) -> String {
    one(&detect(name), kind)
        .spki_sha256
        .clone()
        .unwrap_or_else(|| panic!("{name}: no spki"))
}

fn kind_of(s: &str) -> Kind {
    match s {
        "private_key" => Kind::PrivateKey,
        "public_key" => Kind::PublicKey,
        "certificate" => Kind::Certificate,
        "csr" => Kind::Csr,
        "keystore" => Kind::Keystore,
        "dh_parameters" => Kind::DhParameters,
        "symmetric_key" => Kind::SymmetricKey,
        "unparseable" => Kind::Unparseable,
        other => panic!("unknown kind {other}"),
    }
}

fn opt(s: &str) -> Option<&str> {
    (s != "-").then_some(s)
}

/// Every row of the manifest: kind, format, algorithm, curve, bits, encrypted flag, SPKI and
/// SSH fingerprints as computed by openssl / ssh-keygen in generate.sh.
#[test]
fn manifest_matches_independent_tools() {
    let manifest = String::from_utf8(read("expected.tsv")).expect("utf-8");
    let mut failures = Vec::new();
    let mut rows = 0;
    for line in manifest
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        rows += 1;
        let f: Vec<&str> = line.split('\t').collect();
        let [
            file,
            nth,
            kind,
            format,
            algorithm,
            curve,
            bits,
            encrypted,
            spki,
            ssh,
        ] = f[..]
        else {
            panic!("bad manifest line {line:?}");
        };
        let items = detect(file);
        let nth: usize = nth.parse().expect("nth");
        let candidates = of(&items, kind_of(kind), opt(format));
        let Some(info) = candidates.get(nth) else {
            failures.push(format!(
                "{file}: no {kind}/{format} #{nth}; got {:?}",
                items
                    .iter()
                    .map(|i| (i.info.kind, i.info.format.clone(), i.info.error.clone()))
                    .collect::<Vec<_>>()
            ));
            continue;
        };
        let mut check = |what: &str, got: Option<String>, want: Option<&str>| {
            if kind != "unparseable" && got.as_deref() != want {
                failures.push(format!(
                    "{file} #{nth} {kind}: {what} = {got:?}, expected {want:?}"
                ));
            }
        };
        check("algorithm", info.algorithm.clone(), opt(algorithm));
        check("curve", info.curve.clone(), opt(curve));
        check("bits", info.bits.map(|b| b.to_string()), opt(bits));
        check(
            "encrypted",
            Some(info.encrypted.to_string()),
            Some(encrypted),
        );
        check("spki_sha256", info.spki_sha256.clone(), opt(spki));
        if opt(ssh).is_some() {
            check("ssh_sha256", info.ssh_sha256.clone(), opt(ssh));
        }
    }
    assert!(rows > 100, "manifest too short: {rows} rows");
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

fn tool(cmd: &str, args: &[&str], stdin: Option<&[u8]>) -> Option<Vec<u8>> {
    use std::io::Write;
    let mut child = Command::new(cmd)
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .ok()?;
    if let Some(input) = stdin {
        child.stdin.take()?.write_all(input).ok()?;
    } else {
        drop(child.stdin.take());
    }
    let out = child.wait_with_output().ok()?;
    out.status.success().then_some(out.stdout)
}

fn sha256_hex(b: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(b))
}

/// Cross-check at test time against openssl itself (skipped where openssl is absent), one key
/// per algorithm, independent of the manifest.
#[test]
fn spki_matches_openssl_at_test_time() {
    if tool("openssl", &["version"], None).is_none() {
        eprintln!("openssl not installed: skipped");
        return;
    }
    for (file, kind) in [
        ("rsa1024.pkcs1.pem", Kind::PrivateKey),
        ("rsa4096.pkcs8.pem", Kind::PrivateKey),
        ("p256.sec1-nopub.pem", Kind::PrivateKey),
        ("p384.pkcs8.pem", Kind::PrivateKey),
        ("p521.sec1.pem", Kind::PrivateKey),
        ("secp256k1.sec1.pem", Kind::PrivateKey),
        ("ed25519.pkcs8.pem", Kind::PrivateKey),
        ("x25519.pkcs8.pem", Kind::PrivateKey),
        ("dsa2048.pkcs8.pem", Kind::PrivateKey),
        ("dsa2048.pem", Kind::PrivateKey),
    ] {
        let path = dir().join(file);
        let der = tool(
            "openssl",
            &[
                "pkey",
                "-in",
                path.to_str().expect("path"),
                "-pubout",
                "-outform",
                "DER",
            ],
            None,
        )
        .expect("openssl pkey");
        assert_eq!(spki(file, kind), sha256_hex(&der), "{file}");
    }
    for file in ["server.crt", "farfuture.crt", "ed25519.crt"] {
        let path = dir().join(file);
        let pem = tool(
            "openssl",
            &[
                "x509",
                "-in",
                path.to_str().expect("path"),
                "-noout",
                "-pubkey",
            ],
            None,
        )
        .expect("openssl x509");
        let der = tool(
            "openssl",
            &["pkey", "-pubin", "-outform", "DER"],
            Some(&pem),
        )
        .expect("openssl pkey");
        assert_eq!(spki(file, Kind::Certificate), sha256_hex(&der), "{file}");
        // cert_sha256 is what `openssl x509 -fingerprint -sha256` prints.
        let fp = tool(
            "openssl",
            &[
                "x509",
                "-in",
                path.to_str().expect("path"),
                "-noout",
                "-fingerprint",
                "-sha256",
            ],
            None,
        )
        .expect("fingerprint");
        let fp = String::from_utf8(fp).expect("utf-8");
        let want = fp
            .trim()
            .rsplit('=')
            .next()
            .expect("=")
            .replace(':', "")
            .to_lowercase();
        let cert = one(&detect(file), Kind::Certificate)
            .certificate
            .clone()
            .expect("cert");
        assert_eq!(cert.cert_sha256, want, "{file}");
        let serial = tool(
            "openssl",
            &[
                "x509",
                "-in",
                path.to_str().expect("path"),
                "-noout",
                "-serial",
            ],
            None,
        )
        .expect("serial");
        let serial = String::from_utf8(serial).expect("utf-8");
        let want = serial
            .trim()
            .trim_start_matches("serial=")
            .trim_start_matches('0')
            .to_lowercase();
        assert_eq!(cert.serial.trim_start_matches('0'), want, "{file}");
    }
}

/// ssh-keygen -lf at test time, for every OpenSSH key type.
#[test]
fn ssh_fingerprints_match_ssh_keygen_at_test_time() {
    if tool("ssh-keygen", &["-?"], None).is_none()
        && Command::new("ssh-keygen").arg("-V").output().is_err()
    {
        eprintln!("ssh-keygen not installed: skipped");
        return;
    }
    for stem in [
        "ssh-ed25519",
        "ssh-ecdsa256",
        "ssh-ecdsa384",
        "ssh-ecdsa521",
        "ssh-rsa3072",
        "ssh-dsa1024",
    ] {
        let pub_path = dir().join(format!("{stem}.pub"));
        let Some(out) = tool(
            "ssh-keygen",
            &["-lf", pub_path.to_str().expect("path")],
            None,
        ) else {
            eprintln!("ssh-keygen -lf failed for {stem}: skipped");
            continue;
        };
        let out = String::from_utf8(out).expect("utf-8");
        let want = out
            .split_whitespace()
            .nth(1)
            .expect("fingerprint")
            .to_string();
        let key = detect(&format!("{stem}.key"));
        assert_eq!(
            one(&key, Kind::PrivateKey).ssh_sha256.as_deref(),
            Some(want.as_str()),
            "{stem}.key"
        );
        let public = detect(&format!("{stem}.pub"));
        assert_eq!(
            one(&public, Kind::PublicKey).ssh_sha256.as_deref(),
            Some(want.as_str()),
            "{stem}.pub"
        );
    }
}

/// A private key, its CSR, its certificate and its public key in different files (and formats)
/// report the same SPKI fingerprint.
#[test]
fn pairing_across_files_and_formats() {
    let rsa = spki("rsa2048.pkcs8.pem", Kind::PrivateKey);
    for (file, kind) in [
        ("rsa2048.pkcs1.pem", Kind::PrivateKey),
        ("rsa2048.pkcs1.crlf.pem", Kind::PrivateKey),
        ("rsa2048-key.bin", Kind::PrivateKey),
        ("rsa2048.pkcs8-emptypass.pem", Kind::PrivateKey),
        ("gcp-service-account.json", Kind::PrivateKey),
        ("rsa2048.csr.pem", Kind::Csr),
        ("rsa2048.csr.der", Kind::Csr),
        ("rsa2048.selfsigned.crt", Kind::Certificate),
        ("farfuture.crt", Kind::Certificate),
        ("rsa2048.pub.pem", Kind::PublicKey),
        ("rsa2048.rsapub.pem", Kind::PublicKey),
    ] {
        assert_eq!(spki(file, kind), rsa, "{file}");
    }
    let jwks = detect("jwks-public.json");
    assert_eq!(
        of(&jwks, Kind::PublicKey, Some("jwk"))[0]
            .spki_sha256
            .as_deref(),
        Some(rsa.as_str())
    );

    let server = spki("server.key", Kind::PrivateKey);
    for (file, kind) in [
        ("server.csr", Kind::Csr),
        ("server.crt", Kind::Certificate),
        ("server.der", Kind::Certificate),
        ("certificate-blob.bin", Kind::Certificate),
        ("expired.crt", Kind::Certificate),
        ("server.pub.pem", Kind::PublicKey),
    ] {
        assert_eq!(spki(file, kind), server, "{file}");
    }

    // SSH: private key, .pub, PPK (clear and encrypted), authorized_keys, known_hosts, RFC 4716,
    // the OpenSSH certificate and Terraform state all carry the same Ed25519 key.
    let ed = spki("ssh-ed25519.key", Kind::PrivateKey);
    let ssh = one(&detect("ssh-ed25519.key"), Kind::PrivateKey)
        .ssh_sha256
        .clone();
    for (file, kind) in [
        ("ssh-ed25519.pub", Kind::PublicKey),
        ("ssh-ed25519.v3.ppk", Kind::PrivateKey),
        ("ssh-ed25519.v2.ppk", Kind::PrivateKey),
        ("ssh-ed25519.v3-enc.ppk", Kind::PrivateKey),
        ("ssh-ed25519.rfc4716.pub", Kind::PublicKey),
        ("ssh-ed25519-cert.pub", Kind::Certificate),
    ] {
        let items = detect(file);
        assert_eq!(
            one(&items, kind).spki_sha256.as_deref(),
            Some(ed.as_str()),
            "{file}"
        );
        assert_eq!(one(&items, kind).ssh_sha256, ssh, "{file}");
    }
    for file in ["authorized_keys", "known_hosts", "known_hosts.hashed"] {
        let items = detect(file);
        assert_eq!(
            of(&items, Kind::PublicKey, None)[0].spki_sha256.as_deref(),
            Some(ed.as_str()),
            "{file}"
        );
    }
    let tf = detect("terraform.tfstate");
    assert_eq!(
        of(&tf, Kind::PublicKey, Some("ssh-public"))[0]
            .spki_sha256
            .as_deref(),
        Some(ed.as_str())
    );

    // Ed25519 from openssl: PKCS#8, SPKI, certificate, JWK and the Terraform PEM agree.
    let ed_ossl = spki("ed25519.pkcs8.pem", Kind::PrivateKey);
    assert_eq!(spki("ed25519.crt", Kind::Certificate), ed_ossl);
    assert_eq!(spki("jwk-okp-private.json", Kind::PrivateKey), ed_ossl);
    assert_eq!(
        of(&tf, Kind::PrivateKey, None)[0].spki_sha256.as_deref(),
        Some(ed_ossl.as_str())
    );
}

#[test]
fn age_identity_pairs_with_its_recipient() {
    let keys = detect("age-keys.txt");
    let identity = one(&keys, Kind::PrivateKey);
    let comment_recipient = one(&keys, Kind::PublicKey);
    assert_eq!(identity.algorithm.as_deref(), Some("X25519"));
    // The recipient is derived from the identity and equals the one written beside it.
    assert_eq!(identity.public_key, comment_recipient.public_key);
    assert_eq!(identity.spki_sha256, comment_recipient.spki_sha256);
    let sops = detect("secrets.sops.yaml");
    let r = one(&sops, Kind::PublicKey);
    assert_eq!(r.spki_sha256, identity.spki_sha256);
    assert!(
        of(&sops, Kind::Unparseable, None).is_empty(),
        "AGE ENCRYPTED FILE is not key material"
    );
    let recipient_file = String::from_utf8(read("age-recipient.txt")).expect("utf-8");
    assert_eq!(identity.public_key.as_deref(), Some(recipient_file.trim()));
    assert_eq!(
        keys.iter()
            .find(|i| i.info.kind == Kind::PrivateKey)
            .map(|i| i.severity),
        Some(Severity::Critical)
    );
}

#[test]
fn wireguard_private_key_yields_its_public_key() {
    let items = detect("wg0.conf");
    let private = one(&items, Kind::PrivateKey);
    let public = String::from_utf8(read("wg0.public")).expect("utf-8");
    assert_eq!(private.public_key.as_deref(), Some(public.trim()));
    let peer = one(&items, Kind::PublicKey);
    assert_ne!(peer.spki_sha256, private.spki_sha256);
}

#[test]
fn openpgp_fingerprints_match_gpg() {
    let fprs = String::from_utf8(read("openpgp-fingerprints.tsv")).expect("utf-8");
    for line in fprs.lines() {
        let (stem, fpr) = line.split_once('\t').expect("tab");
        for (suffix, kind) in [
            (".pub.asc", Kind::PublicKey),
            (".sec.asc", Kind::PrivateKey),
        ] {
            let items = detect(&format!("{stem}{suffix}"));
            let info = of(&items, kind, Some("openpgp"))[0];
            let pgp = info.openpgp.as_ref().expect("openpgp info");
            assert_eq!(pgp.fingerprint, fpr, "{stem}{suffix}");
            assert_eq!(pgp.key_id, fpr[fpr.len() - 16..]);
            assert!(!pgp.user_ids.is_empty(), "{stem}{suffix}: user id");
            assert!(!pgp.subkey);
        }
    }
    let sec = detect("pgp-ed25519.sec.asc");
    let key = of(&sec, Kind::PrivateKey, None)[0];
    assert!(key.encrypted && !key.weak_protection, "{key:?}");
    assert!(
        key.encryption
            .as_deref()
            .is_some_and(|e| e.contains("iterated"))
    );
    let clear = detect("pgp-rsa.sec.asc");
    assert_eq!(
        clear
            .iter()
            .find(|i| i.info.kind == Kind::PrivateKey)
            .map(|i| i.rule_id),
        Some("crypto-private-key")
    );
}

#[test]
fn certificate_details() {
    let ca = one(&detect("ca.crt"), Kind::Certificate)
        .certificate
        .clone()
        .expect("ca");
    assert!(ca.is_ca && ca.self_signed, "{ca:?}");
    assert_eq!(ca.not_before, "2024-01-01T00:00:00Z");
    assert_eq!(ca.not_after, "2044-01-01T00:00:00Z");
    assert_eq!(ca.signature_algorithm, "ecdsa-with-SHA384");
    assert!(
        ca.key_usage.contains(&"keyCertSign".to_string())
            && ca.key_usage.contains(&"cRLSign".to_string())
    );
    assert!(
        ca.subject.contains("keyaudit Fixture Root CA"),
        "{}",
        ca.subject
    );

    let server = one(&detect("server.crt"), Kind::Certificate)
        .certificate
        .clone()
        .expect("server");
    assert!(!server.is_ca && !server.self_signed);
    assert_eq!(server.issuer, ca.subject);
    assert_eq!(server.signature_algorithm, "ecdsa-with-SHA256");
    assert_eq!(server.authority_key_id, ca.subject_key_id);
    for san in [
        "DNS:server.example.test",
        "DNS:*.server.example.test",
        "IP:192.0.2.1",
        "email:ops@example.test",
    ] {
        assert!(
            server.sans.contains(&san.to_string()),
            "{san} not in {:?}",
            server.sans
        );
    }
    assert_eq!(server.extended_key_usage, vec!["serverAuth", "clientAuth"]);
    assert_eq!(
        server.key_usage,
        vec!["digitalSignature", "keyEncipherment"]
    );
    assert!(server.not_after_unix - server.not_before_unix >= 3649 * 86_400);
    assert_eq!(server.cert_sha256, sha256_hex(&read("server.der")));

    let expired = one(&detect("expired.crt"), Kind::Certificate)
        .certificate
        .clone()
        .expect("expired");
    assert_eq!(expired.not_before, "2020-01-01T00:00:00Z");
    assert_eq!(expired.not_after, "2021-01-01T00:00:00Z");
    assert_eq!(expired.signature_algorithm, "ecdsa-with-SHA1");

    let far = one(&detect("farfuture.crt"), Kind::Certificate)
        .certificate
        .clone()
        .expect("far");
    assert_eq!(far.not_after, "2099-12-31T23:59:59Z");
    // Signed by the P-384 CA.
    assert_eq!(far.signature_algorithm, "ecdsa-with-SHA512");
    let nyv = one(&detect("notyetvalid.crt"), Kind::Certificate)
        .certificate
        .clone()
        .expect("nyv");
    assert_eq!(nyv.not_before, "2090-01-01T00:00:00Z");

    for (file, alg) in [
        ("md5-selfsigned.crt", "md5WithRSAEncryption"),
        ("sha1-selfsigned.crt", "sha1WithRSAEncryption"),
        ("rsa2048.selfsigned.crt", "sha256WithRSAEncryption"),
        ("ed25519.crt", "ED25519"),
    ] {
        let items = detect(file);
        let cert = one(&items, Kind::Certificate);
        let c = cert.certificate.as_ref().expect("cert");
        assert_eq!(c.signature_algorithm, alg, "{file}");
        assert!(c.self_signed, "{file}");
        assert_eq!(items[0].severity, Severity::Note);
        assert_eq!(items[0].rule_id, "crypto-certificate");
    }
    assert_eq!(cert_rsa_exponent("md5-selfsigned.crt"), Some(65537));

    let chain = detect("chain.pem");
    assert_eq!(of(&chain, Kind::Certificate, None).len(), 2);
    let csr = one(&detect("rsa2048.csr.pem"), Kind::Csr)
        .csr
        .clone()
        .expect("csr");
    assert!(csr.subject.contains("rsa2048.example.test"));
    assert_eq!(csr.signature_algorithm, "sha256WithRSAEncryption");

    let ssh_items = detect("ssh-ed25519-cert.pub");
    let ssh_cert = one(&ssh_items, Kind::Certificate);
    let c = ssh_cert.certificate.as_ref().expect("ssh cert");
    assert_eq!(c.subject, "fixture-cert");
    assert_eq!(c.sans, vec!["principal:alice"]);
    // ssh-keygen -V takes local time; the day is all we can rely on.
    assert!(c.not_after.starts_with("2099-12-3"), "{}", c.not_after);
}

fn cert_rsa_exponent(file: &str) -> Option<u64> {
    one(&detect(file), Kind::Certificate).rsa_exponent
}

#[test]
fn pkcs12_keystores() {
    for file in [
        "bundle-emptypass.p12",
        "bundle-legacy-emptypass.pfx",
        "bundle-nopass.p12",
    ] {
        let items = detect(file);
        let ks_item = items
            .iter()
            .find(|i| i.info.kind == Kind::Keystore)
            .expect("keystore");
        assert_eq!(ks_item.rule_id, "crypto-keystore-passwordless", "{file}");
        assert_eq!(ks_item.severity, Severity::Critical);
        let ks = ks_item.info.keystore.as_ref().expect("info");
        assert!(ks.opened_with.is_some(), "{file}: {ks:?}");
        assert!(ks.entries.iter().any(|e| e.kind == "private_key"), "{file}");
        let key = one(&items, Kind::PrivateKey);
        assert_eq!(key.container.as_deref(), Some("pkcs12"));
        if file != "bundle-nopass.p12" {
            assert!(ks.mac_verified, "{file}: MAC");
            assert!(key.empty_password);
        }
    }
    let legacy = detect("bundle-legacy-emptypass.pfx");
    let ks = one(&legacy, Kind::Keystore);
    assert!(ks.weak_protection, "RC2/3DES PKCS#12 PBE is weak: {ks:?}");

    for file in ["bundle-pass.p12", "bundle-legacy-pass.pfx"] {
        let items = detect(file);
        let ks_item = items
            .iter()
            .find(|i| i.info.kind == Kind::Keystore)
            .expect("keystore");
        assert_eq!(ks_item.rule_id, "crypto-keystore", "{file}");
        assert_eq!(ks_item.severity, Severity::Medium);
        assert!(ks_item.info.encrypted);
        let ks = ks_item.info.keystore.as_ref().expect("info");
        assert!(ks.opened_with.is_none() && !ks.mac_verified, "{file}");
        assert!(of(&items, Kind::PrivateKey, None).is_empty(), "{file}");
    }
    // keytool's default password opens a store like no password does.
    let keytool = detect("keytool.p12");
    let ks = keytool
        .iter()
        .find(|i| i.info.kind == Kind::Keystore)
        .expect("keystore");
    assert_eq!(ks.rule_id, "crypto-keystore-passwordless");
    assert_eq!(
        ks.info
            .keystore
            .as_ref()
            .and_then(|k| k.opened_with.as_deref()),
        Some("default-password")
    );
    assert_eq!(
        one(&keytool, Kind::PrivateKey).spki_sha256,
        one(&keytool, Kind::Certificate).spki_sha256
    );
    // OpenSSL leaves the shrouded key bag outside the encrypted part: its presence is listed.
    let pass = detect("bundle-pass.p12");
    let entries = &one(&pass, Kind::Keystore)
        .keystore
        .as_ref()
        .expect("ks")
        .entries;
    assert!(
        entries.iter().any(|e| e.kind == "encrypted_private_key"),
        "{entries:?}"
    );
}

#[test]
fn java_keystores() {
    let items = detect("keystore.jks");
    let ks = one(&items, Kind::Keystore);
    let info = ks.keystore.as_ref().expect("ks");
    assert_eq!(info.store_type, "jks");
    // keytool's default password "changeit" verifies, and then the key can be recovered.
    assert!(info.mac_verified);
    assert_eq!(info.opened_with.as_deref(), Some("default-password"));
    let key = one(&items, Kind::PrivateKey);
    let certs = of(&items, Kind::Certificate, None);
    assert_eq!(certs.len(), 2);
    assert_eq!(
        key.spki_sha256, certs[0].spki_sha256,
        "the key pairs with its certificate"
    );
    assert_eq!(items[0].rule_id, "crypto-keystore-passwordless");

    let jceks = detect("keystore.jceks");
    let ks = one(&jceks, Kind::Keystore).keystore.clone().expect("ks");
    assert_eq!(ks.store_type, "jceks");
    assert!(
        ks.entries.iter().any(|e| e.kind == "secret_key"),
        "{:?}",
        ks.entries
    );
    assert!(
        ks.entries.iter().any(|e| e.kind == "encrypted_private_key"),
        "{:?}",
        ks.entries
    );
    assert_eq!(of(&jceks, Kind::Certificate, None).len(), 1);
}

#[test]
fn severities_follow_protection() {
    let rule_of = |file: &str| {
        detect(file)
            .into_iter()
            .find(|i| i.info.kind == Kind::PrivateKey)
            .map(|i| (i.rule_id, i.severity))
            .unwrap_or_else(|| panic!("{file}: no private key"))
    };
    assert_eq!(
        rule_of("rsa2048.pkcs1.pem"),
        ("crypto-private-key", Severity::Critical)
    );
    assert_eq!(
        rule_of("rsa2048.pkcs8-emptypass.pem"),
        ("crypto-private-key", Severity::Critical)
    );
    assert_eq!(
        rule_of("rsa2048.pkcs8-enc.pem"),
        ("crypto-private-key-encrypted", Severity::Medium)
    );
    assert_eq!(
        rule_of("ssh-ed25519-enc.key"),
        ("crypto-private-key-encrypted", Severity::Medium)
    );
    assert_eq!(
        rule_of("ssh-ed25519.v3-enc.ppk"),
        ("crypto-private-key-encrypted", Severity::Medium)
    );
    assert_eq!(
        rule_of("rsa2048.pkcs1-legacy-enc.pem"),
        ("crypto-private-key-weak-encryption", Severity::High)
    );
    assert_eq!(
        rule_of("ssh-rsa3072.v2-enc.ppk"),
        ("crypto-private-key-weak-encryption", Severity::High)
    );
    let enc = one(&detect("rsa2048.pkcs8-enc.pem"), Kind::PrivateKey)
        .encryption
        .clone();
    assert_eq!(
        enc.as_deref(),
        Some("PBES2/PBKDF2-HMAC-SHA256/AES-256-CBC (2048 iterations)")
    );
    let ssh = one(&detect("ssh-ed25519-enc.key"), Kind::PrivateKey).clone();
    assert_eq!(ssh.encryption.as_deref(), Some("aes256-ctr/bcrypt"));
    assert_eq!(
        one(&detect("ssh-ed25519.key"), Kind::PrivateKey)
            .comment
            .as_deref(),
        Some("ssh-ed25519@keyaudit.test")
    );
    assert_eq!(
        one(&detect("ssh-ed25519.v3.ppk"), Kind::PrivateKey)
            .comment
            .as_deref(),
        Some("ssh-ed25519@keyaudit.test")
    );
    assert_eq!(
        one(&detect("dh2048.pem"), Kind::DhParameters).bits,
        Some(2048)
    );
    let jwk = detect("jwk-oct.json");
    assert_eq!(jwk[0].rule_id, "crypto-symmetric-key");
    assert_eq!(jwk[0].info.bits, Some(256));
    for item in detect("ssh-ed25519.pub") {
        assert_eq!(item.severity, Severity::Note);
    }
}

#[test]
fn authorized_keys_and_known_hosts_context() {
    let ak = detect("authorized_keys");
    let keys = of(&ak, Kind::PublicKey, Some("authorized_keys"));
    assert_eq!(keys.len(), 3);
    assert!(
        keys[1]
            .ssh_options
            .as_deref()
            .is_some_and(|o| o.starts_with("command="))
    );
    assert_eq!(keys[2].ssh_options.as_deref(), Some("restrict"));
    assert_eq!(
        keys[0].comment.as_deref(),
        Some("ssh-ed25519@keyaudit.test")
    );
    // The same lines under another file name are still told apart by their prefix.
    let data = read("authorized_keys");
    let as_other = crypto::detect("x", &data);
    let formats: Vec<&str> = of(&as_other, Kind::PublicKey, None)
        .iter()
        .map(|i| i.format.as_str())
        .collect();
    assert_eq!(
        formats,
        vec!["ssh-public", "authorized_keys", "authorized_keys"]
    );
    let kh = crypto::detect("x", &read("known_hosts"));
    let hosts = of(&kh, Kind::PublicKey, Some("known_hosts"));
    assert_eq!(hosts.len(), 2);
    assert_eq!(
        hosts[0].ssh_options.as_deref(),
        Some("git.example.test,192.0.2.10")
    );
    let hashed = crypto::detect("x", &read("known_hosts.hashed"));
    // ssh-keygen -H writes one hashed line per host name.
    assert_eq!(of(&hashed, Kind::PublicKey, Some("known_hosts")).len(), 3);
}

#[test]
fn embedded_material_is_found_by_content() {
    // Kubernetes Secret data: base64 of PEM (cert, key) and of DER (cert).
    let k8s = detect("k8s-tls-secret.yaml");
    assert_eq!(of(&k8s, Kind::Certificate, None).len(), 2, "{k8s:#?}");
    let key = one(&k8s, Kind::PrivateKey);
    assert_eq!(key.encoding, "base64");
    let yaml = detect("k8s-stringdata.yaml");
    assert_eq!(one(&yaml, Kind::PrivateKey).format, "sec1");
    let gcp = detect("gcp-service-account.json");
    assert_eq!(gcp.len(), 1, "{gcp:#?}");
    // Names do not matter: a DER certificate and key under meaningless names.
    for file in [
        "certificate-blob.bin",
        "rsa2048-key.bin",
        "p384.sec1-nopub.der",
    ] {
        let data = read(file);
        assert!(crypto::wants_binary("blob", &data), "{file}");
        assert_eq!(crypto::detect("blob", &data).len(), 1, "{file}");
    }
    assert!(crypto::wants_binary("x", &read("keystore.jks")));
    assert!(crypto::wants_binary("x", &read("bundle-pass.p12")));
    assert!(crypto::wants_binary("x", &read("pgp-rsa.pub.gpg")));
    assert!(!crypto::wants_binary("README.md", b"# hello\nworld\n"));
}

#[test]
fn placeholders_are_never_private_keys() {
    for file in ["placeholders.md", "truncated.pem"] {
        let items = detect(file);
        assert!(!items.is_empty(), "{file}");
        for item in &items {
            assert_eq!(item.info.kind, Kind::Unparseable, "{file}: {item:?}");
            assert_eq!(item.rule_id, "crypto-unparseable");
        }
    }
    // `...`, `<paste key here>`, `<redacted>`: documentation, a note that never fails a run;
    // a body cut short may be part of a real key: low.
    let severities: Vec<Severity> = detect("placeholders.md")
        .iter()
        .map(|i| i.severity)
        .collect();
    assert_eq!(
        severities,
        [
            Severity::Note,
            Severity::Note,
            Severity::Note,
            Severity::Low
        ]
    );
    assert!(
        detect("truncated.pem")
            .iter()
            .all(|i| i.severity == Severity::Low)
    );
    let doc =
        b"Paste your key between -----BEGIN PRIVATE KEY----- and -----END PRIVATE KEY----- here.";
    let found = crypto::detect("doc.md", doc);
    assert!(
        found
            .iter()
            .all(|i| i.info.kind == Kind::Unparseable && i.severity == Severity::Note),
        "{found:?}"
    );
}

#[test]
fn a_marker_mentioned_in_prose_or_code_is_not_a_finding() {
    // What PKCS#8 files start with, as crate documentation says it; a parser's constant.
    let texts: [&[u8]; 3] = [
        b"/// Files encoded with PEM begin with:\n///\n/// ```text\n/// -----BEGIN PRIVATE KEY-----\n/// ```\n",
        b"It starts with the following:\n\n```text\n-----BEGIN ENCRYPTED PRIVATE KEY-----\n```\n",
        b"const PPK_HEADER_PREFIX: &str = \"PuTTY-User-Key-File-\";\n",
    ];
    for text in texts {
        let found = crypto::detect("lib.rs", text);
        assert!(
            found.is_empty(),
            "{}: {found:?}",
            String::from_utf8_lossy(text)
        );
    }
    // The same marker with a key body after it is still found, even without its END line.
    let key = read("rsa2048.pkcs1.pem");
    let cut = String::from_utf8_lossy(&key).replace("-----END RSA PRIVATE KEY-----", "");
    let found = crypto::detect("x.pem", cut.as_bytes());
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].info.kind, Kind::PrivateKey);
}

#[test]
fn rules_and_keywords_cover_what_detect_emits() {
    let ids: BTreeSet<&str> = RULES.iter().map(|r| r.id).collect();
    assert_eq!(ids.len(), RULES.len(), "duplicate rule ids");
    let mut emitted = BTreeSet::new();
    for entry in std::fs::read_dir(dir()).expect("dir") {
        let path = entry.expect("entry").path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .expect("name")
            .to_string();
        let data = std::fs::read(&path).expect("read");
        let items = crypto::detect(&name, &data);
        let lower = data.to_ascii_lowercase();
        let keyword_hit = KEYWORDS
            .iter()
            .any(|k| memchr::memmem::find(&lower, k.to_ascii_lowercase().as_bytes()).is_some());
        if !items.is_empty() {
            assert!(
                keyword_hit || crypto::wants_binary(&name, &data),
                "{name}: items found but the prefilter would not call detect"
            );
        }
        for item in items {
            assert!(
                ids.contains(item.rule_id),
                "{name}: unknown rule {}",
                item.rule_id
            );
            let rule = RULES.iter().find(|r| r.id == item.rule_id).expect("rule");
            if item.rule_id == "crypto-unparseable" {
                // Placeholders and broken public material are lowered to notes.
                assert!(item.severity <= rule.severity, "{name}");
            } else {
                assert_eq!(rule.severity, item.severity, "{name}");
            }
            assert!(
                item.span.end <= data.len() && item.span.start < item.span.end,
                "{name}: span"
            );
            emitted.insert(item.rule_id);
        }
    }
    assert!(emitted.len() >= 11, "{emitted:?}");
    // CryptoInfo round-trips through serde (the integrator stores it in findings).
    let info = detect("server.crt").remove(0).info;
    let json = serde_json::to_string(&info).expect("json");
    assert!(json.contains("\"spki_sha256\""));
    let back: CryptoInfo = serde_json::from_str(&json).expect("back");
    assert_eq!(back, info);
}

// ---------------------------------------------------------------------------------------------
// Malformed input: never panics. `detect_unguarded` skips the catch_unwind safety net so that a
// panic fails the test instead of being swallowed.

fn fixtures() -> Vec<(String, Vec<u8>)> {
    let mut all: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir())
        .expect("dir")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.is_file())
        .map(|p| {
            (
                p.file_name()
                    .and_then(|n| n.to_str())
                    .expect("name")
                    .to_string(),
                std::fs::read(&p).expect("read"),
            )
        })
        .collect();
    all.sort();
    all
}

#[test]
fn truncated_inputs_never_panic_nor_become_private_keys() {
    for (name, data) in fixtures() {
        let step = (data.len() / 97).max(1);
        for cut in (0..data.len()).step_by(step) {
            let prefix = &data[..cut];
            let items = crypto::detect_unguarded(&name, prefix);
            // A PEM private key cut inside its body must not be reported as a parsed private
            // key (one cut only before its END line is whole, and is).
            if name.ends_with(".pem") && name.contains("pkcs") && !name.contains("pub") {
                // Losing only the `=` padding loses no data.
                let end = memchr::memmem::find(&data, b"\n-----END").unwrap_or(data.len());
                if cut + 2 < end {
                    assert!(
                        items.iter().all(|i| i.info.kind != Kind::PrivateKey),
                        "{name} cut at {cut}: {items:?}"
                    );
                }
            }
        }
    }
}

#[test]
fn corrupted_inputs_never_panic() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for (name, data) in fixtures() {
        if data.is_empty() {
            continue;
        }
        for _ in 0..40 {
            let mut d = data.clone();
            let flips = 1 + (rng.next() % 8) as usize;
            for _ in 0..flips {
                let i = (rng.next() as usize) % d.len();
                d[i] = rng.next() as u8;
            }
            crypto::detect_unguarded(&name, &d);
        }
    }
}

#[test]
fn random_bytes_after_pem_headers_never_panic() {
    let mut rng = Rng(42);
    let labels = [
        "RSA PRIVATE KEY",
        "PRIVATE KEY",
        "ENCRYPTED PRIVATE KEY",
        "EC PRIVATE KEY",
        "DSA PRIVATE KEY",
        "OPENSSH PRIVATE KEY",
        "PGP PRIVATE KEY BLOCK",
        "CERTIFICATE",
        "CERTIFICATE REQUEST",
        "PUBLIC KEY",
        "RSA PUBLIC KEY",
        "DH PARAMETERS",
    ];
    use base64::Engine;
    for label in labels {
        for len in [0usize, 1, 7, 64, 300, 2000] {
            // Raw random bytes, and random bytes that are valid base64 (so they reach the DER
            // and packet parsers).
            let raw = rng.bytes(len);
            let mut text = format!("-----BEGIN {label}-----\n").into_bytes();
            text.extend(&raw);
            text.extend(format!("\n-----END {label}-----\n").as_bytes());
            let items = crypto::detect_unguarded("x", &text);
            assert!(
                items
                    .iter()
                    .all(|i| i.info.kind != Kind::PrivateKey || len > 0)
            );
            let b64 = base64::engine::general_purpose::STANDARD.encode(&raw);
            let text = format!("-----BEGIN {label}-----\n{b64}\n-----END {label}-----\n");
            let items = crypto::detect_unguarded("x", text.as_bytes());
            assert!(
                items.iter().all(|i| i.severity <= Severity::Low),
                "{label}/{len}: {items:?}"
            );
            // With a legacy-encryption header.
            let text = format!(
                "-----BEGIN {label}-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\n{b64}\n-----END {label}-----\n"
            );
            crypto::detect_unguarded("x", text.as_bytes());
        }
    }
}

#[test]
fn der_lengths_that_overrun_never_panic() {
    let cases: Vec<Vec<u8>> = vec![
        vec![0x30, 0x84, 0xff, 0xff, 0xff, 0xff, 0x02, 0x01, 0x00],
        vec![
            0x30, 0x82, 0x10, 0x00, 0x02, 0x01, 0x03, 0x30, 0x82, 0xff, 0xff,
        ],
        vec![0x30, 0x80, 0x30, 0x80, 0x30, 0x80, 0x02, 0x01],
        vec![
            0x30, 0x0a, 0x02, 0x01, 0x03, 0x30, 0x80, 0x06, 0x09, 0x2a, 0x86, 0x48,
        ],
        [&[0x30u8, 0x80][..], &[0x30, 0x80].repeat(5000)].concat(),
        vec![0x30; 100_000],
    ];
    for case in &cases {
        crypto::detect_unguarded("x.der", case);
        crypto::detect_unguarded("x.p12", case);
    }
    // Every DER fixture with its length fields bumped.
    for (name, data) in fixtures() {
        if !crypto::wants_binary(&name, &data) || data.len() < 4 {
            continue;
        }
        for (pos, byte) in data.iter().enumerate().take(64) {
            if *byte & 0x80 != 0 {
                let mut d = data.clone();
                d[pos] = 0xff;
                crypto::detect_unguarded(&name, &d);
            }
        }
    }
}

#[test]
fn pkcs12_with_bogus_mac_is_reported_not_trusted() {
    let mut data = read("bundle-emptypass.p12");
    // The MAC digest sits near the end (before salt and iterations): flip bytes there.
    let n = data.len();
    for b in &mut data[n - 40..n - 30] {
        *b ^= 0x5a;
    }
    let items = crypto::detect_unguarded("bogus.p12", &data);
    let ks = items
        .iter()
        .find(|i| i.info.kind == Kind::Keystore)
        .expect("still a keystore");
    assert!(!ks.info.keystore.as_ref().expect("ks").mac_verified);
}

#[test]
fn random_bytes_never_panic() {
    let mut rng = Rng(7);
    for len in [0usize, 1, 2, 3, 8, 31, 100, 1000, 10_000, 100_000] {
        for _ in 0..20 {
            let mut d = rng.bytes(len);
            crypto::detect_unguarded("x", &d);
            // Random bytes behind each binary magic.
            for magic in [
                &[0xfe, 0xed, 0xfe, 0xed, 0, 0, 0, 2][..],
                &[0xce, 0xce, 0xce, 0xce, 0, 0, 0, 2],
                &[0x30, 0x82],
                &[0x99, 0x01, 0x0d, 0x04],
                &[0xc6, 0x33, 0x04],
            ] {
                let mut m = magic.to_vec();
                m.append(&mut d.clone());
                crypto::detect_unguarded("x", &m);
            }
            d.truncate(0);
        }
    }
    // Random text around every keyword.
    for kw in KEYWORDS {
        for _ in 0..50 {
            let mut d = rng.bytes(64);
            d.extend(kw.as_bytes());
            d.extend(rng.bytes(200).iter().map(|b| b'!' + b % 90));
            crypto::detect_unguarded("x", &d);
        }
    }
}

/// PEM and DER as they appear inside code and configuration, built from the fixtures at test
/// time: kubeconfig `*-data`, SAML metadata (wrapped base64), PHP-style JSON (`\/`, `\r\n`),
/// Python and JavaScript string concatenation.
#[test]
fn embedded_in_code_and_config() {
    use base64::Engine;
    let b64 = |d: &[u8]| base64::engine::general_purpose::STANDARD.encode(d);
    let text = |name: &str| String::from_utf8(read(name)).expect("utf-8");
    let server = spki("server.key", Kind::PrivateKey);

    let kubeconfig = format!(
        "users:\n- name: admin\n  user:\n    client-certificate-data: {}\n    client-key-data: {}\n",
        b64(&read("server.crt")),
        b64(&read("server.key"))
    );
    let items = crypto::detect("kubeconfig", kubeconfig.as_bytes());
    assert_eq!(
        one(&items, Kind::PrivateKey).spki_sha256.as_deref(),
        Some(server.as_str())
    );
    assert_eq!(
        one(&items, Kind::Certificate).spki_sha256.as_deref(),
        Some(server.as_str())
    );

    let der = b64(&read("server.der"));
    let wrapped: Vec<String> = der
        .as_bytes()
        .chunks(64)
        .map(|c| format!("        {}", String::from_utf8_lossy(c)))
        .collect();
    let saml = format!(
        "<ds:X509Certificate>\n{}\n</ds:X509Certificate>",
        wrapped.join("\n")
    );
    let items = crypto::detect("metadata.xml", saml.as_bytes());
    assert_eq!(
        one(&items, Kind::Certificate).spki_sha256.as_deref(),
        Some(server.as_str())
    );

    let rsa = spki("rsa2048.pkcs1.pem", Kind::PrivateKey);
    let php = serde_json::to_string(&text("rsa2048.pkcs1.pem").replace('\n', "\r\n"))
        .expect("json")
        .replace('/', "\\/");
    let items = crypto::detect("config.json", format!("{{\"key\": {php}}}").as_bytes());
    assert_eq!(
        one(&items, Kind::PrivateKey).spki_sha256.as_deref(),
        Some(rsa.as_str())
    );

    let p256 = spki("p256.pkcs8.pem", Kind::PrivateKey);
    let lines: Vec<String> = text("p256.pkcs8.pem")
        .lines()
        .map(|l| format!("\"{l}\\n\""))
        .collect();
    let python = format!("KEY = (\n    {}\n)\n", lines.join("\n    "));
    let js = format!("const key = {};\n", lines.join(" +\n  "));
    for (name, src) in [("key.py", python), ("key.js", js)] {
        let items = crypto::detect(name, src.as_bytes());
        assert_eq!(
            one(&items, Kind::PrivateKey).spki_sha256.as_deref(),
            Some(p256.as_str()),
            "{name}"
        );
    }
}
