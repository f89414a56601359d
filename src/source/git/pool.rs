//! The scoped worker pool both history passes run on: a few named threads that take chunks of
//! work off a shared counter until none are left, each with state of its own (its object
//! caches). Which worker takes which chunk varies from run to run; the callers make their output
//! independent of that (pass 1 sorts what it collects, pass 2 claims each blob exactly once).

use std::sync::atomic::{AtomicUsize, Ordering};

/// Run `each(state, chunk)` for every chunk of `chunks`, in order of the chunks handed out, on
/// `threads` scoped threads named `name`; each thread makes its `state` with `init` first. A
/// panic in a worker is resumed here once the workers are joined; a thread that cannot be
/// started is an error (after the ones already started have finished).
pub(super) fn for_each_chunk<T: Sync, S>(
    threads: usize,
    name: &str,
    chunks: &[&[T]],
    init: impl Fn() -> S + Sync,
    each: impl Fn(&mut S, &[T]) + Sync,
) -> std::io::Result<()> {
    let next = AtomicUsize::new(0);
    std::thread::scope(|s| {
        let mut handles = Vec::new();
        for _ in 0..threads {
            let (next, init, each) = (&next, &init, &each);
            let handle =
                std::thread::Builder::new()
                    .name(name.into())
                    .spawn_scoped(s, move || {
                        let mut state = init();
                        while let Some(chunk) = chunks.get(next.fetch_add(1, Ordering::Relaxed)) {
                            each(&mut state, chunk);
                        }
                    })?;
            handles.push(handle);
        }
        for h in handles {
            if let Err(panic) = h.join() {
                std::panic::resume_unwind(panic);
            }
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    /// Every chunk is handed out exactly once, whatever the number of workers, and each worker
    /// keeps its own state.
    #[test]
    fn every_chunk_goes_to_exactly_one_worker() {
        let items: Vec<u32> = (0..1000).collect();
        let chunks: Vec<&[u32]> = items.chunks(7).collect();
        for threads in [1, 2, 5] {
            let seen = Mutex::new(Vec::new());
            let workers = Mutex::new(0);
            for_each_chunk(
                threads,
                "keyaudit-test",
                &chunks,
                || *workers.lock().expect("lock") += 1,
                |_, chunk| seen.lock().expect("lock").extend_from_slice(chunk),
            )
            .expect("threads");
            let mut seen = seen.into_inner().expect("lock");
            seen.sort_unstable();
            assert_eq!(seen, items, "{threads} threads");
            assert_eq!(workers.into_inner().expect("lock"), threads);
        }
    }
}
