//! Hostile git object databases found while writing the fuzz targets in `fuzz/` (the git_pack
//! and git_objects targets reach these shapes): each is built here with real git (or, where git
//! refuses to write it, by hand in git's documented pack formats) and scanned by the real binary
//! under a time and memory bound. Each case crashed or ran without bound before its fix.

use crate::common;

use crate::common::git::Repo;
use crate::common::{bin, github_token, json};
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

/// Run `keyaudit scan -f json -q --git .` in `dir` with at most `secs` seconds and `mem_mb` MiB
/// of address space; a run that exceeds either fails the test with what it did.
fn scan_bounded(dir: &Path, secs: u32, mem_mb: u64) -> (i32, serde_json::Value) {
    let script = format!(
        "ulimit -v {}; exec timeout -s KILL {secs} \"$0\" scan -f json -q --git .",
        mem_mb * 1024
    );
    let out = Command::new("sh")
        .args(["-c", &script, bin()])
        .current_dir(dir)
        .env_remove("KEYAUDIT_FINGERPRINT_KEY")
        .output()
        .expect("run keyaudit");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let code = out.status.code().unwrap_or(-1);
    assert!(
        matches!(code, 0 | 1 | 3),
        "keyaudit ended with {:?} (killed over {secs} s / {mem_mb} MiB, or crashed): {stderr}",
        out.status
    );
    let run = common::Run {
        code,
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: stderr.into_owned(),
    };
    (code, json(&run))
}

fn problem_messages(report: &serde_json::Value) -> Vec<String> {
    report["problems"]
        .as_array()
        .map(|ps| {
            ps.iter()
                .map(|p| p["message"].as_str().unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default()
}

fn finding_paths(report: &serde_json::Value) -> Vec<String> {
    report["findings"]
        .as_array()
        .map(|fs| {
            fs.iter()
                .map(|f| {
                    f["location"]["path"]
                        .as_str()
                        .unwrap_or_default()
                        .to_string()
                })
                .collect()
        })
        .unwrap_or_default()
}

/// `git <args>` in `dir` with `input` on stdin; its trimmed stdout.
fn git_with_input(repo: &Repo, args: &[&str], input: &[u8]) -> String {
    let mut child = repo
        .git_cmd(&repo.dir, args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run git");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input)
        .expect("feed git");
    let out = child.wait_with_output().expect("wait for git");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// A file 20,000 directories deep: the tree walk recursed once per level and overflowed the
/// diff thread's stack (SIGSEGV, no report). Now the walk stops at 1024 levels, says so, and the
/// scan is incomplete; the rest of the commit is still scanned.
#[test]
fn trees_nested_beyond_the_limit_are_reported_not_a_stack_overflow() {
    let repo = Repo::new();
    let deep = vec!["d"; 20_000].join("/");
    let shallow_token = github_token("ghp", 31);
    let deep_token = github_token("ghp", 32);
    let mut stream = Vec::new();
    for (path, token) in [
        (format!("{deep}/key.sh"), &deep_token),
        ("deploy.sh".to_string(), &shallow_token),
    ] {
        let data = format!("export GITHUB_TOKEN={token}\n");
        if stream.is_empty() {
            stream.extend_from_slice(
                b"commit refs/heads/main\ncommitter A <a@example.com> 1600000000 +0000\ndata 5\ndeep\n",
            );
        }
        stream
            .extend_from_slice(format!("M 100644 inline {path}\ndata {}\n", data.len()).as_bytes());
        stream.extend_from_slice(data.as_bytes());
    }
    git_with_input(&repo, &["fast-import", "--quiet"], &stream);

    let (code, report) = scan_bounded(&repo.dir, 300, 4096);
    assert_eq!(code, 1, "the shallow token is found: {report:#}");
    assert_eq!(
        report["complete"], false,
        "a cut tree makes the scan incomplete"
    );
    assert_eq!(finding_paths(&report), ["deploy.sh"], "{report:#}");
    let messages = problem_messages(&report);
    assert!(
        messages
            .iter()
            .any(|m| m.contains("nested more than 1024 directories deep")),
        "{messages:?}"
    );
}

/// Forty trees, each naming the one below it twice (`a/` and `b/`): 2^40 paths from a few
/// kilobytes of objects. The walk of the commit (and of HEAD's tree) went on without bound; now
/// one commit's walk visits at most 1,000,000 entries and reports the rest as not scanned.
#[test]
fn trees_that_name_one_subtree_twice_per_level_are_bounded() {
    let repo = Repo::new();
    let blob = git_with_input(&repo, &["hash-object", "-w", "--stdin"], b"just notes\n");
    let mut tree = git_with_input(
        &repo,
        &["mktree"],
        format!("100644 blob {blob}\tnotes.txt\n").as_bytes(),
    );
    for _ in 0..40 {
        let listing = format!("040000 tree {tree}\ta\n040000 tree {tree}\tb\n");
        tree = git_with_input(&repo, &["mktree"], listing.as_bytes());
    }
    let commit = repo.git(&["commit-tree", &tree, "-m", "2^40 paths"]);
    repo.git(&["update-ref", "refs/heads/main", &commit]);

    let (code, report) = scan_bounded(&repo.dir, 600, 4096);
    assert_eq!(code, 3, "a cut walk makes the scan incomplete: {report:#}");
    let messages = problem_messages(&report);
    assert!(
        messages
            .iter()
            .any(|m| m.contains("more than 1000000 entries")),
        "{messages:?}"
    );
}

/// A zlib stream of `data` in stored (uncompressed) blocks, as RFC 1950/1951 define them.
fn zlib_stored(data: &[u8]) -> Vec<u8> {
    let mut out = vec![0x78, 0x01];
    let blocks: Vec<&[u8]> = if data.is_empty() {
        vec![&[]]
    } else {
        data.chunks(0xffff).collect()
    };
    for (i, block) in blocks.iter().enumerate() {
        out.push(u8::from(i + 1 == blocks.len()));
        let len = block.len() as u16;
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&(!len).to_le_bytes());
        out.extend_from_slice(block);
    }
    let (mut a, mut b) = (1u32, 0u32);
    for &x in data {
        a = (a + u32::from(x)) % 65521;
        b = (b + a) % 65521;
    }
    out.extend_from_slice(&((b << 16) | a).to_be_bytes());
    out
}

/// A version 2 pack holding one REF_DELTA entry against `base`: a delta that inserts `content`.
fn ref_delta_pack(base: &[u8; 20], content: &[u8]) -> Vec<u8> {
    let mut delta = vec![0x05, content.len() as u8]; // base size 5, result size (< 128)
    delta.push(content.len() as u8); // one insert command of the whole content (< 128)
    delta.extend_from_slice(content);
    let mut pack = b"PACK".to_vec();
    pack.extend_from_slice(&2u32.to_be_bytes());
    pack.extend_from_slice(&1u32.to_be_bytes());
    let len = delta.len();
    pack.push(0x80 | (7 << 4) | (len & 0x0f) as u8);
    pack.push((len >> 4) as u8); // < 2048: one more size byte
    pack.extend_from_slice(base);
    pack.extend_from_slice(&zlib_stored(&delta));
    pack.extend_from_slice(&[0; 20]); // checksum: keyaudit does not verify it
    pack
}

/// A version 2 pack index listing one object, `id`, at offset 12 (the first entry).
fn one_entry_idx(id: &[u8; 20]) -> Vec<u8> {
    let mut idx = vec![0xff, b't', b'O', b'c', 0, 0, 0, 2];
    for byte in 0..=255u8 {
        let count = u32::from(byte >= id[0]);
        idx.extend_from_slice(&count.to_be_bytes());
    }
    idx.extend_from_slice(id);
    idx.extend_from_slice(&0u32.to_be_bytes()); // crc32, unchecked
    idx.extend_from_slice(&12u32.to_be_bytes());
    idx.extend_from_slice(&[0; 40]); // pack and index checksums, unchecked
    idx
}

fn id_bytes(hex: &str) -> [u8; 20] {
    let mut id = [0u8; 20];
    for (i, byte) in id.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).expect("hex object id");
    }
    id
}

/// Two packs whose only objects are deltas against each other (A's tree against B's object, B's
/// against A's tree): git would never write them, a hostile repository can ship them. Reading the
/// commit's tree recursed from pack to pack until the stack overflowed; now the cycle is reported.
/// (A blob is first looked up by gix, which reports the cycle itself; trees are read by keyaudit.)
#[test]
fn ref_deltas_that_cycle_across_two_packs_are_reported_not_a_stack_overflow() {
    let repo = Repo::new();
    let token = github_token("ghp", 33);
    repo.write("deploy.sh", &format!("export GITHUB_TOKEN={token}\n"));
    repo.write("README.md", "deploy tooling\n");
    repo.commit("2021-05-01T12:00:00Z", "add deploy script");
    let x = repo.git(&["rev-parse", "HEAD^{tree}"]);
    let y = git_with_input(&repo, &["hash-object", "--stdin"], b"never written\n");
    let objects = repo.dir.join(".git/objects");
    std::fs::remove_file(objects.join(&x[..2]).join(&x[2..])).expect("remove the loose tree");
    let (x_id, y_id) = (id_bytes(&x), id_bytes(&y));
    for (name, id, base) in [("pack-a", &x_id, &y_id), ("pack-b", &y_id, &x_id)] {
        let dir = objects.join("pack");
        std::fs::create_dir_all(&dir).expect("pack directory");
        std::fs::write(
            dir.join(format!("{name}.pack")),
            ref_delta_pack(base, b"cycle"),
        )
        .unwrap();
        std::fs::write(dir.join(format!("{name}.idx")), one_entry_idx(id)).unwrap();
    }

    let (code, report) = scan_bounded(&repo.dir, 120, 4096);
    assert_eq!(
        code, 3,
        "an unreadable tree makes the scan incomplete: {report:#}"
    );
    let messages = problem_messages(&report);
    assert!(
        messages
            .iter()
            .any(|m| m.contains(&x) && m.contains("cross packs in a cycle")),
        "{messages:?}"
    );
}

/// A pack index whose offset for a blob points past the end of its pack (found twice by the
/// git_pack target): reading that entry computed its length as `end - start` and overflowed (a
/// panic, or with wrapping arithmetic an allocation of ~2^64 bytes), and the entry before it in
/// the pack was read up to the false offset (an allocation of 2 GiB here, under a 1.5 GiB
/// bound). Now the entry is refused as corrupt and no read goes past the pack's entries.
#[test]
fn an_index_offset_past_the_end_of_the_pack_is_reported_as_corrupt() {
    let repo = Repo::new();
    let token = github_token("ghp", 34);
    repo.write("deploy.sh", &format!("export GITHUB_TOKEN={token}\n"));
    repo.write("README.md", "deploy tooling\n");
    repo.commit("2021-05-01T12:00:00Z", "add deploy script");
    repo.git(&["gc", "-q", "--prune=now"]);
    let blob = id_bytes(&repo.git(&["rev-parse", "HEAD:deploy.sh"]));
    let pack_dir = repo.dir.join(".git/objects/pack");
    let idx_path = std::fs::read_dir(&pack_dir)
        .expect("pack directory")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "idx"))
        .expect("an index");
    let mut idx = std::fs::read(&idx_path).expect("read the index");
    // Version 2 layout: header (8), fan-out (256 × 4), ids (n × 20), CRCs (n × 4), offsets (n × 4).
    let n = u32::from_be_bytes(idx[8 + 255 * 4..8 + 256 * 4].try_into().unwrap()) as usize;
    let ids = 8 + 256 * 4;
    let at = (0..n)
        .find(|&i| idx[ids + i * 20..ids + i * 20 + 20] == blob)
        .expect("the blob is in the pack");
    let offset = ids + n * 24 + at * 4;
    idx[offset..offset + 4].copy_from_slice(&0x7fff_fff0u32.to_be_bytes());
    std::fs::write(&idx_path, idx).expect("write the index");

    let (code, report) = scan_bounded(&repo.dir, 120, 1536);
    assert_eq!(
        code, 3,
        "an unreadable blob makes the scan incomplete: {report:#}"
    );
    let messages = problem_messages(&report);
    let blob_hex = repo.git(&["rev-parse", "HEAD:deploy.sh"]);
    assert!(
        messages.iter().any(|m| m.contains(&blob_hex)),
        "the blob is reported: {messages:?}"
    );
    assert!(
        !report.to_string().contains(&token),
        "no secret in the report"
    );
}
