//! Standard input as a source (`keyaudit scan -`), for pipelines such as `git diff | keyaudit
//! scan -`. One blob under a name the user chooses (`-` by default), read up to the size limit:
//! a stream has no size to check first, so the read itself is bounded.

use super::{Blob, BlobSink, Origin, Problem, ProblemKind};
use std::io::Read;

/// The name standard input is reported under when none is given.
pub const DEFAULT_NAME: &str = "-";

/// Read `input` (at most `max_size` bytes) and hand it to `sink` as one blob called `name`.
/// Too much input or a read error is a problem, not a failure, as for files.
pub fn scan(input: &mut dyn Read, name: &str, max_size: u64, sink: &dyn BlobSink) {
    let mut buf = Vec::new();
    let problem = |kind, message| Problem {
        kind,
        path: name.to_string(),
        message,
    };
    match input.take(max_size.saturating_add(1)).read_to_end(&mut buf) {
        Ok(_) if buf.len() as u64 > max_size => sink.problem(problem(
            ProblemKind::TooLarge,
            format!("standard input is over --max-file-size {max_size}"),
        )),
        Ok(_) => sink.blob(Blob {
            path: name,
            data: &buf,
            origin: &Origin::File { mtime: None },
        }),
        Err(e) => sink.problem(problem(ProblemKind::Unreadable, e.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    #[derive(Default)]
    struct Collect {
        blobs: Mutex<Vec<(String, Vec<u8>)>>,
        problems: Mutex<Vec<Problem>>,
    }

    impl BlobSink for Collect {
        fn blob(&self, blob: Blob<'_>) {
            if let Ok(mut b) = self.blobs.lock() {
                b.push((blob.path.to_string(), blob.data.to_vec()));
            }
        }
        fn problem(&self, problem: Problem) {
            if let Ok(mut p) = self.problems.lock() {
                p.push(problem);
            }
        }
    }

    #[test]
    fn reads_all_of_it_under_the_given_name() {
        let sink = Collect::default();
        scan(&mut &b"line one\nline two\n"[..], "diff.patch", 100, &sink);
        let blobs = sink.blobs.lock().map(|b| b.clone()).unwrap_or_default();
        assert_eq!(
            blobs,
            vec![("diff.patch".to_string(), b"line one\nline two\n".to_vec())]
        );
    }

    #[test]
    fn over_the_limit_is_a_problem_and_nothing_is_scanned() {
        let sink = Collect::default();
        scan(&mut &[b'x'; 11][..], "-", 10, &sink);
        assert!(sink.blobs.lock().map(|b| b.is_empty()).unwrap_or(false));
        let kinds: Vec<ProblemKind> = sink
            .problems
            .lock()
            .map(|p| p.iter().map(|p| p.kind).collect())
            .unwrap_or_default();
        assert_eq!(kinds, vec![ProblemKind::TooLarge]);
    }
}
