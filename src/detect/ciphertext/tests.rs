//! The ciphertext detector on real tool output (age, gpg, openssl when installed), hand-made
//! packets, every sops flavour, and random or damaged input.

use super::binary::{entropy_threshold, expected_random_entropy};
use super::*;
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use std::path::Path;
use std::process::Command;

const AGE_RECIPIENT: &str = "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p";
const PGP_FP: &str = "FBC7B9E2A4F9289AC0C1D4843D16CEE4A27381B4";

/// Deterministic xorshift64* bytes.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| (self.next() >> 56) as u8).collect()
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Runs a tool; `None` (with a note) when it is not installed.
fn run(dir: &Path, prog: &str, args: &[&str]) -> Option<std::process::Output> {
    match Command::new(prog).args(args).current_dir(dir).output() {
        Ok(out) => {
            assert!(
                out.status.success(),
                "{prog} {args:?} failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            Some(out)
        }
        Err(e) => {
            eprintln!("note: {prog} not available ({e}); skipping this part of the test");
            None
        }
    }
}

fn kinds(found: &[Ciphertext]) -> Vec<CiphertextKind> {
    found.iter().map(|c| c.kind.clone()).collect()
}

fn one(path: &str, data: &[u8], kind: CiphertextKind) -> Ciphertext {
    let found = detect(path, data);
    assert_eq!(kinds(&found), vec![kind], "{path}: {found:?}");
    found.into_iter().next().expect("one")
}

/// Every prefix and some mutations must be handled without panicking.
fn no_panic_on_damage(sample: &[u8], seed: u64) {
    let step = (sample.len() / 2048).max(1);
    for end in (0..=sample.len()).step_by(step) {
        let cut = sample.get(..end).unwrap_or_default();
        let _ = detect("x.enc", cut);
        let _ = detect("x", sample.get(end..).unwrap_or_default());
    }
    let mut rng = Rng(seed | 1);
    for _ in 0..200 {
        let mut m = sample.to_vec();
        for _ in 0..1 + rng.below(4) {
            let i = rng.below(m.len());
            if let Some(b) = m.get_mut(i) {
                *b = (rng.next() >> 56) as u8;
            }
        }
        let _ = detect("x.gpg", &m);
    }
}

#[test]
fn age_binary_and_armoured() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let Some(_) = run(d, "age-keygen", &["-o", "key.txt"]) else {
        return;
    };
    let out = run(d, "age-keygen", &["-y", "key.txt"]).expect("age-keygen -y");
    let recipient = String::from_utf8(out.stdout).expect("utf8");
    let recipient = recipient.trim();
    std::fs::write(d.join("plain"), b"attack at dawn\n").expect("write");
    let Some(_) = run(d, "age", &["-r", recipient, "-o", "bin.age", "plain"]) else {
        return;
    };
    run(d, "age", &["-a", "-r", recipient, "-o", "arm.age", "plain"]).expect("age -a");
    let bin = std::fs::read(d.join("bin.age")).expect("read");
    let c = one("secret.age", &bin, CiphertextKind::Age);
    assert_eq!((c.offset, c.recipients.len()), (0, 0));
    // Also named .enc: recognised by content, not reported twice.
    one("secret.enc", &bin, CiphertextKind::Age);

    let arm = std::fs::read(d.join("arm.age")).expect("read");
    let mut doc = b"notes:\n".to_vec();
    doc.extend_from_slice(&arm);
    let c = one("notes.txt", &doc, CiphertextKind::Age);
    assert_eq!(c.offset, 7);
    no_panic_on_damage(&bin, 1);
    no_panic_on_damage(&doc, 2);
}

#[test]
fn openpgp_messages_from_gpg() {
    let dir = tempfile::tempdir().expect("tempdir");
    let home = dir.path().join("gnupg");
    std::fs::create_dir(&home).expect("mkdir");
    let h = home.to_str().expect("utf8 path");
    let d = dir.path();
    let gpg = |args: &[&str]| {
        let mut all = vec!["--homedir", h, "--batch", "--yes", "--quiet"];
        all.extend_from_slice(args);
        run(d, "gpg", &all)
    };
    let gen1 = [
        "--passphrase",
        "",
        "--quick-gen-key",
        "Alice <alice@example.com>",
    ];
    let Some(_) = gpg(&[&gen1[..], &["future-default", "default", "never"]].concat()) else {
        return;
    };
    let gen2 = [
        "--passphrase",
        "",
        "--quick-gen-key",
        "Bob <bob@example.com>",
    ];
    gpg(&[&gen2[..], &["rsa2048", "encr", "never"]].concat()).expect("gpg gen rsa");
    let listing = gpg(&["--list-keys", "--with-colons"]).expect("list");
    // Encryption-capable (sub)keys: field 12 has a lowercase `e`.
    let mut expected: Vec<String> = String::from_utf8_lossy(&listing.stdout)
        .lines()
        .map(|l| l.split(':').collect::<Vec<_>>())
        .filter(|f| matches!(f.first(), Some(&"pub" | &"sub")))
        .filter(|f| f.get(11).is_some_and(|c| c.contains('e')))
        .filter_map(|f| f.get(4).map(|s| s.to_string()))
        .collect();
    expected.sort();
    assert_eq!(expected.len(), 2, "{expected:?}");
    std::fs::write(d.join("plain"), b"attack at dawn\n").expect("write");
    let to = [
        "--trust-model",
        "always",
        "-r",
        "alice@example.com",
        "-r",
        "bob@example.com",
    ];
    gpg(&[&to[..], &["-e", "-o", "msg.gpg", "plain"]].concat()).expect("encrypt");
    gpg(&[&to[..], &["-a", "-e", "-o", "msg.asc", "plain"]].concat()).expect("encrypt -a");
    let sym = ["--pinentry-mode", "loopback", "--passphrase", "x", "-c"];
    gpg(&[&sym[..], &["-o", "sym.gpg", "plain"]].concat()).expect("symmetric");
    gpg(&[&sym[..], &["-a", "-o", "sym.asc", "plain"]].concat()).expect("symmetric -a");
    gpg(&[
        "-a",
        "-u",
        "alice@example.com",
        "-s",
        "-o",
        "signed.asc",
        "plain",
    ])
    .expect("sign");
    gpg(&["-a", "--export", "-o", "pub.asc"]).expect("export -a");
    gpg(&["--export", "-o", "pubring.gpg"]).expect("export");
    let _ = Command::new("gpgconf")
        .args(["--homedir", h, "--kill", "gpg-agent"])
        .output();
    let read = |f: &str| std::fs::read(d.join(f)).expect("read");

    for (file, path) in [("msg.gpg", "backup.tar.gpg"), ("msg.asc", "msg.txt")] {
        let data = read(file);
        let mut c = one(path, &data, CiphertextKind::OpenpgpMessage);
        assert_eq!(c.offset, 0);
        c.recipients.sort();
        assert_eq!(c.recipients, expected, "{file}");
        no_panic_on_damage(&data, 3);
    }
    for file in ["sym.gpg", "sym.asc"] {
        let c = one(file, &read(file), CiphertextKind::OpenpgpMessage);
        assert!(c.recipients.is_empty(), "{file}: {c:?}");
    }
    // Signed-only messages, public keys and keyrings are not ciphertext.
    for (file, path) in [
        ("signed.asc", "signed.asc"),
        ("pub.asc", "pub.asc"),
        ("pubring.gpg", "pubring.gpg"),
    ] {
        assert_eq!(detect(path, &read(file)), vec![], "{file}");
    }
}

#[test]
fn openpgp_hand_made_packets() {
    // New-format PKESK v3 (RSA) then a partial-length SEIPD packet.
    let mut msg = vec![
        0xc1, 13, 3, 0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 1, 0, 8, 0xff,
    ];
    msg.extend_from_slice(&[0xd2, 0xe5, 1, 2, 3, 4]);
    let c = one("m", &msg, CiphertextKind::OpenpgpMessage);
    assert_eq!(c.recipients, vec!["0123456789ABCDEF".to_string()]);
    // Wildcard key id: still a message, recipient unknown.
    let mut anon = msg.clone();
    anon[3..11].fill(0);
    assert!(
        one("m", &anon, CiphertextKind::OpenpgpMessage)
            .recipients
            .is_empty()
    );
    // Unknown algorithm, wrong version, no data packet, oversized length: not a message.
    for (i, v) in [(11, 99u8), (2, 4), (15, 0xcb), (1, 200)] {
        let mut bad = msg.clone();
        bad[i] = v;
        assert_eq!(detect("m", &bad), vec![], "byte {i} = {v}");
    }
    // v6 PKESK naming a v4 fingerprint.
    let mut v6 = vec![0xc1, 27, 6, 21, 4];
    v6.extend_from_slice(&hex::decode(PGP_FP).expect("hex"));
    v6.extend_from_slice(&[25, 1, 2, 3]);
    v6.extend_from_slice(&[0xd2, 0x03, 2, 9, 9]);
    let c = one("m", &v6, CiphertextKind::OpenpgpMessage);
    assert_eq!(c.recipients, vec![PGP_FP.to_string()]);
}

#[test]
fn openssl_enc_binary_and_base64() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    std::fs::write(d.join("plain"), b"attack at dawn\n").expect("write");
    let args = ["enc", "-aes-256-cbc", "-pbkdf2", "-salt", "-pass", "pass:x"];
    let Some(_) = run(
        d,
        "openssl",
        &[&args[..], &["-in", "plain", "-out", "bin"]].concat(),
    ) else {
        return;
    };
    run(
        d,
        "openssl",
        &[&args[..], &["-a", "-in", "plain", "-out", "b64"]].concat(),
    )
    .expect("openssl -a");
    let bin = std::fs::read(d.join("bin")).expect("read");
    // Named .enc: content wins, reported once.
    assert_eq!(one("x.enc", &bin, CiphertextKind::OpensslSalted).offset, 0);
    let b64 = std::fs::read(d.join("b64")).expect("read");
    assert_eq!(one("x.txt", &b64, CiphertextKind::OpensslSalted).offset, 0);
    let value = String::from_utf8(b64.clone()).expect("utf8");
    let yaml = format!(
        "db:\n  password: {}\n  quoted: \"{}\"\n",
        value.trim(),
        value.trim()
    );
    let found = detect("config.yml", yaml.as_bytes());
    assert_eq!(kinds(&found), vec![CiphertextKind::OpensslSalted; 2]);
    assert_eq!(found[0].offset, yaml.find("U2Fs").expect("in"));
    no_panic_on_damage(&bin, 4);
    no_panic_on_damage(yaml.as_bytes(), 5);
}

fn vault_body(rng: &mut Rng) -> String {
    let hex = hex::encode(rng.bytes(200));
    let hex = hex::encode(hex.as_bytes()); // vault bodies are hex of hex-ish text
    hex.as_bytes()
        .chunks(80)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn ansible_vault_files_and_inline_values() {
    let mut rng = Rng(7);
    let file = format!("$ANSIBLE_VAULT;1.1;AES256\n{}\n", vault_body(&mut rng));
    assert_eq!(
        one("vault.yml", file.as_bytes(), CiphertextKind::AnsibleVault).offset,
        0
    );
    let body: String = vault_body(&mut rng)
        .lines()
        .map(|l| format!("          {l}\n"))
        .collect();
    let yaml = format!(
        "db_user: app\ndb_password: !vault |\n          $ANSIBLE_VAULT;1.2;AES256;prod\n{body}other: 1\n"
    );
    let c = one(
        "group_vars/all.yml",
        yaml.as_bytes(),
        CiphertextKind::AnsibleVault,
    );
    assert_eq!(c.offset, yaml.find('$').expect("$"));
    // Header quoted in prose, bad version, missing label.
    for doc in [
        "Vault files start with `$ANSIBLE_VAULT;1.1;AES256` and then\nhex lines follow.\n",
        "$ANSIBLE_VAULT;2.0;AES256\n616263646566616263646566616263646566\n",
        "$ANSIBLE_VAULT;1.2;AES256;\n616263646566616263646566616263646566\n",
    ] {
        assert_eq!(detect("README.md", doc.as_bytes()), vec![], "{doc}");
    }
    no_panic_on_damage(yaml.as_bytes(), 6);
}

fn enc(rng: &mut Rng, n: usize) -> String {
    format!(
        "ENC[AES256_GCM,data:{},iv:{},tag:{},type:str]",
        STANDARD.encode(rng.bytes(n)),
        STANDARD.encode(rng.bytes(32)),
        STANDARD.encode(rng.bytes(16))
    )
}

fn age_armour(rng: &mut Rng, indent: &str, nl: &str) -> String {
    let mut raw = b"age-encryption.org/v1\n-> X25519 ".to_vec();
    raw.extend_from_slice(rng.bytes(120).as_slice());
    let b64 = STANDARD.encode(raw);
    let mut s = format!("{indent}-----BEGIN AGE ENCRYPTED FILE-----{nl}");
    for c in b64.as_bytes().chunks(64) {
        s += &format!("{indent}{}{nl}", String::from_utf8_lossy(c));
    }
    s + &format!("{indent}-----END AGE ENCRYPTED FILE-----{nl}")
}

fn pgp_armour(indent: &str, nl: &str) -> String {
    let mut pkt = vec![
        0x85, 0x01, 0x0c, 3, 0x3D, 0x16, 0xCE, 0xE4, 0xA2, 0x73, 0x81, 0xB4, 1,
    ];
    pkt.extend_from_slice(&[0x08, 0x00]);
    pkt.extend(std::iter::repeat_n(0x5a, 256));
    pkt.extend_from_slice(&[0xd2, 0x05, 1, 2, 3, 4, 5]);
    let b64 = STANDARD.encode(pkt);
    let mut s = format!("{indent}-----BEGIN PGP MESSAGE-----{nl}{nl}");
    for c in b64.as_bytes().chunks(64) {
        s += &format!("{indent}{}{nl}", String::from_utf8_lossy(c));
    }
    s + &format!("{indent}=abcd{nl}{indent}-----END PGP MESSAGE-----{nl}")
}

fn sops_samples() -> Vec<(&'static str, String)> {
    let mut rng = Rng(11);
    let yaml = format!(
        "database:\n    user: {}\n    password: {}\nsops:\n    kms: []\n    age:\n        - recipient: {AGE_RECIPIENT}\n          enc: |\n{}    lastmodified: \"2024-05-01T10:00:00Z\"\n    mac: {}\n    pgp:\n        - created_at: \"2024-05-01T10:00:00Z\"\n          enc: |-\n{}          fp: {}\n    unencrypted_suffix: _unencrypted\n    version: 3.8.1\n",
        enc(&mut rng, 5),
        enc(&mut rng, 20),
        age_armour(&mut rng, "            ", "\n"),
        enc(&mut rng, 32),
        pgp_armour("            ", "\n"),
        PGP_FP.to_ascii_lowercase(),
    );
    let json = format!(
        "{{\n\t\"password\": \"{}\",\n\t\"sops\": {{\n\t\t\"kms\": null,\n\t\t\"age\": [\n\t\t\t{{\n\t\t\t\t\"recipient\": \"{AGE_RECIPIENT}\",\n\t\t\t\t\"enc\": \"{}\"\n\t\t\t}}\n\t\t],\n\t\t\"pgp\": [\n\t\t\t{{\n\t\t\t\t\"created_at\": \"2024-05-01T10:00:00Z\",\n\t\t\t\t\"enc\": \"{}\",\n\t\t\t\t\"fp\": \"{PGP_FP}\"\n\t\t\t}}\n\t\t],\n\t\t\"version\": \"3.8.1\"\n\t}}\n}}\n",
        enc(&mut rng, 20),
        age_armour(&mut rng, "", "\\n"),
        pgp_armour("", "\\n"),
    );
    let env = format!(
        "DB_PASSWORD={}\nAPI_TOKEN={}\nsops_age__list_0__map_enc={}\nsops_age__list_0__map_recipient={AGE_RECIPIENT}\nsops_pgp__list_0__map_fp={PGP_FP}\nsops_lastmodified=2024-05-01T10:00:00Z\nsops_mac={}\nsops_version=3.8.1\n",
        enc(&mut rng, 20),
        enc(&mut rng, 40),
        age_armour(&mut rng, "", "\\n"),
        enc(&mut rng, 32),
    );
    let ini = format!(
        "[database]\npassword = {}\n\n[sops]\nage__list_0__map_recipient = {AGE_RECIPIENT}\npgp__list_0__map_fp = {PGP_FP}\nversion = 3.8.1\n",
        enc(&mut rng, 20),
    );
    vec![
        ("secrets.enc.yaml", yaml),
        ("secrets.json", json),
        ("prod.env", env),
        ("app.ini", ini),
    ]
}

#[test]
fn sops_files_with_recipients() {
    for (path, text) in sops_samples() {
        let c = one(path, text.as_bytes(), CiphertextKind::Sops);
        let first_enc = text.find("ENC[").expect("ENC");
        let key = ["sops:", "\"sops\"", "sops_", "[sops]"]
            .iter()
            .filter_map(|k| text.find(k))
            .min()
            .expect("key");
        assert_eq!(c.offset, first_enc.min(key), "{path}");
        assert_eq!(
            c.recipients,
            vec![AGE_RECIPIENT.to_string(), PGP_FP.to_string()],
            "{path}"
        );
        no_panic_on_damage(text.as_bytes(), 8);
    }
    // ENC[ values without sops metadata, metadata without ENC[ values.
    let mut rng = Rng(3);
    let no_meta = format!("password: {}\n", enc(&mut rng, 10));
    assert_eq!(detect("a.yaml", no_meta.as_bytes()), vec![]);
    let no_enc = "sops:\n    version: 3.8.1\n";
    assert_eq!(detect("a.yaml", no_enc.as_bytes()), vec![]);
    // The armoured data keys alone are ciphertext (JSON-escaped armour too).
    let arm = pgp_armour("", "\\n");
    let c = one(
        "x.json",
        format!("{{\"k\": \"{arm}\"}}").as_bytes(),
        CiphertextKind::OpenpgpMessage,
    );
    assert_eq!(c.recipients, vec!["3D16CEE4A27381B4".to_string()]);
}

fn b64url(data: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(data)
}

#[test]
fn jwe_compact_tokens() {
    let mut rng = Rng(5);
    let header = b64url(br#"{"alg":"RSA-OAEP","enc":"A256GCM"}"#);
    let token = format!(
        "{header}.{}.{}.{}.{}",
        b64url(&rng.bytes(256)),
        b64url(&rng.bytes(12)),
        b64url(&rng.bytes(100)),
        b64url(&rng.bytes(16))
    );
    let json = format!("{{\"id\": 1, \"token\": \"{token}\"}}");
    let c = one("resp.json", json.as_bytes(), CiphertextKind::Jwe);
    assert_eq!(c.offset, json.find("eyJ").expect("eyJ"));
    // `dir` has an empty encrypted key.
    let dir_hdr = b64url(br#"{"alg":"dir","enc":"A128CBC-HS256","kid":"k1"}"#);
    let dir = format!(
        "{dir_hdr}..{}.{}.{}",
        b64url(&rng.bytes(16)),
        b64url(&rng.bytes(48)),
        b64url(&rng.bytes(16))
    );
    one("t.txt", dir.as_bytes(), CiphertextKind::Jwe);
    // A JWS/JWT (three parts), a header without `enc`, five parts inside a longer token.
    let jws_hdr = b64url(br#"{"alg":"HS256","typ":"JWT"}"#);
    let jws = format!(
        "Authorization: Bearer {jws_hdr}.{}.{}\n",
        b64url(br#"{"sub":"1"}"#),
        b64url(&rng.bytes(32))
    );
    assert_eq!(detect("log.txt", jws.as_bytes()), vec![]);
    let no_enc = format!("{jws_hdr}.a.b.c.d");
    assert_eq!(detect("t.txt", no_enc.as_bytes()), vec![]);
    let inner = format!("x{token}");
    assert_eq!(detect("t.txt", inner.as_bytes()), vec![]);
    no_panic_on_damage(json.as_bytes(), 9);
}

#[test]
fn encrypted_binary_by_name_and_randomness() {
    let mut rng = Rng(13);
    let random = rng.bytes(3000);
    assert_eq!(
        one("data/blob.enc", &random, CiphertextKind::EncryptedBinary).offset,
        0
    );
    one("BLOB.ENCRYPTED", &random, CiphertextKind::EncryptedBinary);
    one("x.gpg", &random, CiphertextKind::EncryptedBinary);
    assert_eq!(detect("data/blob.bin", &random), vec![], "no path hint");
    assert_eq!(detect("data/blob.enc", &random[..63]), vec![], "too short");
    // Small files are judged against what random data of that size looks like.
    for n in [64, 100, 256, 1000, 5000] {
        for seed in 0..50 {
            let data = Rng(1000 + seed).bytes(n);
            one("k.enc", &data, CiphertextKind::EncryptedBinary);
        }
    }
    // Text encodings of random data.
    let b64 = STANDARD
        .encode(rng.bytes(600))
        .as_bytes()
        .chunks(76)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join("\n");
    one(
        "secret.enc",
        b64.as_bytes(),
        CiphertextKind::EncryptedBinary,
    );
    one(
        "secret.enc",
        hex::encode(rng.bytes(200)).as_bytes(),
        CiphertextKind::EncryptedBinary,
    );
    // Low-entropy text, structured binary, hex of text.
    let text = "# settings\nname = demo\nmode = production\nretries = 3\n".repeat(10);
    assert_eq!(detect("settings.enc", text.as_bytes()), vec![]);
    let counter: Vec<u8> = (0..2000u32).flat_map(|i| i.to_le_bytes()).collect();
    assert_eq!(detect("c.enc", &counter), vec![]);
    assert_eq!(
        detect("t.enc", hex::encode(text.as_bytes()).as_bytes()),
        vec![]
    );
    let b64_text = STANDARD.encode(text.as_bytes());
    assert_eq!(detect("t.enc", b64_text.as_bytes()), vec![]);
    // An OpenPGP keyring with random-looking key material is not ciphertext.
    let mut ring = vec![0x99, 0x01, 0x0d, 4];
    ring.extend_from_slice(&rng.bytes(400));
    assert_eq!(detect("pubring.gpg", &ring), vec![]);
    let armoured = format!(
        "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\n{}\n=abcd\n-----END PGP PUBLIC KEY BLOCK-----\n",
        STANDARD.encode(&ring)
    );
    assert_eq!(detect("key.gpg", armoured.as_bytes()), vec![]);
    // AES Crypt header.
    let mut aes = b"AES\x02\x00\x00\x18CREATED_BY\x00aescrypt 3.10".to_vec();
    aes.extend_from_slice(&[0u8; 128]);
    one("photo.jpg.aes", &aes, CiphertextKind::EncryptedBinary);
}

#[test]
fn entropy_threshold_is_documented_value() {
    assert!((entropy_threshold(4096) - 7.5).abs() < 1e-9);
    assert!((expected_random_entropy(4096) - 7.955).abs() < 0.005);
    let t64 = entropy_threshold(64);
    assert!((5.2..5.4).contains(&t64), "{t64}");
    assert!(entropy_threshold(1000) < 7.5);
}

#[test]
fn mentions_and_other_armour_are_not_ciphertext() {
    let md = "# Encryption\n\nOpenSSL writes `Salted__` then an 8-byte salt; in base64 that is \
              U2FsdGVkX1 followed by more. age files begin with age-encryption.org/v1 and \
              vaults with $ANSIBLE_VAULT;1.1;AES256 then hex.\n\n```\n-----BEGIN PGP MESSAGE-----\n\n...\n-----END PGP MESSAGE-----\n-----BEGIN AGE ENCRYPTED FILE-----\n...\n```\nSalted__ at a line start is still text.\n";
    assert_eq!(detect("docs/crypto.md", md.as_bytes()), vec![]);
    let mut key = vec![0x99, 0x00, 0x33, 4, 0, 0, 0, 0, 22, 9];
    key.extend_from_slice(&[0x2b; 40]);
    let block = format!(
        "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\n{}\n-----END PGP PUBLIC KEY BLOCK-----\n",
        STANDARD.encode(&key)
    );
    assert_eq!(detect("key.asc", block.as_bytes()), vec![]);
    // A PGP MESSAGE that is signed (one-pass signature packet), not encrypted.
    let signed = [0x90, 0x0d, 3, 0, 8, 22, 1, 2, 3, 4, 5, 6, 7, 8, 1];
    let block = format!(
        "-----BEGIN PGP MESSAGE-----\n\n{}\n-----END PGP MESSAGE-----\n",
        STANDARD.encode(signed)
    );
    assert_eq!(detect("signed.asc", block.as_bytes()), vec![]);
}

#[test]
fn serialises_kebab_case() {
    let c = Ciphertext {
        kind: CiphertextKind::OpenpgpMessage,
        offset: 3,
        recipients: vec!["0123456789ABCDEF".into()],
    };
    let json = serde_json::to_string(&c).expect("json");
    assert_eq!(
        json,
        r#"{"kind":"openpgp-message","offset":3,"recipients":["0123456789ABCDEF"]}"#
    );
    assert_eq!(serde_json::from_str::<Ciphertext>(&json).expect("back"), c);
    let k = serde_json::to_string(&CiphertextKind::EncryptedBinary).expect("json");
    assert_eq!(k, "\"encrypted-binary\"");
}

#[test]
fn random_and_damaged_input_never_panics() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let markers: [&[u8]; 12] = [
        b"-----BEGIN PGP MESSAGE-----\n",
        b"-----BEGIN AGE ENCRYPTED FILE-----\n",
        b"$ANSIBLE_VAULT;1.1;AES256\n",
        b"ENC[AES256_GCM,data:",
        b"\nsops:\n",
        b"recipient: age1",
        b"fp: ",
        b"U2FsdGVkX1",
        b"eyJ",
        b".",
        b"\\n",
        b"\n",
    ];
    for i in 0..4000 {
        let n = rng.below(1500);
        let mut buf = rng.bytes(n);
        for _ in 0..rng.below(6) {
            let m = markers[rng.below(markers.len())];
            let at = rng.below(buf.len() + 1);
            buf.splice(at..at, m.iter().copied());
        }
        if i % 3 == 0 {
            // Mostly base64 text, to reach the decoders.
            buf = buf
                .iter()
                .map(|b| {
                    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=.\n"
                        [usize::from(*b) % 66]
                })
                .collect();
        }
        let path = ["x.enc", "x.gpg", "x.aes", "x", "a/b.encrypted"][i % 5];
        for c in detect(path, &buf) {
            assert!(c.offset <= buf.len());
        }
    }
    // Binary starts with each packet tag, with random continuations.
    for first in 0x80..=0xffu8 {
        for _ in 0..20 {
            let mut buf = vec![first];
            let n = rng.below(40);
            buf.extend_from_slice(&rng.bytes(n));
            let _ = detect("x.gpg", &buf);
        }
    }
    for (_, text) in sops_samples() {
        no_panic_on_damage(text.as_bytes(), 10);
    }
}
