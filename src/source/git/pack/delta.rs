//! Git's delta format: the sizes a delta announces and applying it to its base. Deltas come from
//! untrusted packs, so every copy and insert is bounds-checked and the result must be exactly the
//! size announced.

fn delta_varint(d: &[u8], i: &mut usize) -> Result<u64, &'static str> {
    let mut value = 0u64;
    let mut shift = 0;
    loop {
        let b = *d.get(*i).ok_or("truncated delta header")?;
        *i += 1;
        if shift > 63 {
            return Err("delta header overflows");
        }
        value |= u64::from(b & 0x7f) << shift;
        shift += 7;
        if b & 0x80 == 0 {
            return Ok(value);
        }
    }
}

/// The result size a delta announces, to check it against a limit before applying it.
pub(super) fn delta_result_size(delta: &[u8]) -> Result<u64, &'static str> {
    let mut i = 0;
    delta_varint(delta, &mut i)?;
    delta_varint(delta, &mut i)
}

/// Apply a git delta to `base`, writing the result into `out`.
pub(super) fn apply_delta(
    base: &[u8],
    delta: &[u8],
    out: &mut Vec<u8>,
) -> Result<(), &'static str> {
    let mut i = 0;
    let base_size = delta_varint(delta, &mut i)?;
    if base_size != base.len() as u64 {
        return Err("delta base size does not match the base");
    }
    let result_size =
        usize::try_from(delta_varint(delta, &mut i)?).map_err(|_| "delta result too large")?;
    out.clear();
    out.reserve(result_size);
    while let Some(&cmd) = delta.get(i) {
        i += 1;
        if cmd & 0x80 != 0 {
            // Copy from the base: offset and size bytes are present where their bit is set.
            let mut fields = [0u32; 2];
            for (bit, (field, shift)) in
                (0..7).map(|b| (b, if b < 4 { (0, b * 8) } else { (1, (b - 4) * 8) }))
            {
                if cmd & (1 << bit) != 0 {
                    let byte = *delta.get(i).ok_or("truncated delta copy")?;
                    i += 1;
                    fields[field] |= u32::from(byte) << shift;
                }
            }
            let (ofs, size) = (
                fields[0] as usize,
                if fields[1] == 0 {
                    0x10000
                } else {
                    fields[1] as usize
                },
            );
            let src = base
                .get(ofs..ofs.saturating_add(size))
                .ok_or("delta copies outside its base")?;
            out.extend_from_slice(src);
        } else if cmd != 0 {
            let n = usize::from(cmd);
            let src = delta.get(i..i + n).ok_or("truncated delta insert")?;
            out.extend_from_slice(src);
            i += n;
        } else {
            return Err("delta has the reserved command 0");
        }
        if out.len() > result_size {
            return Err("delta produces more than it announced");
        }
    }
    if out.len() != result_size {
        return Err("delta produces less than it announced");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delta_copy_and_insert() {
        let base = b"hello, world";
        // base size 12, result size 11: copy 7 bytes from 0 ("hello, "), insert "git!"
        let delta = [12, 11, 0x80 | 0x10, 7, 4, b'g', b'i', b't', b'!'];
        let mut out = Vec::new();
        apply_delta(base, &delta, &mut out).expect("valid delta");
        assert_eq!(out, b"hello, git!");
    }

    #[test]
    fn corrupt_deltas_are_errors() {
        let mut out = Vec::new();
        assert!(
            apply_delta(b"abc", &[4, 1, 1, b'x'], &mut out).is_err(),
            "wrong base size"
        );
        assert!(
            apply_delta(b"abc", &[3, 5, 0x91, 1, 9], &mut out).is_err(),
            "copy out of range"
        );
        assert!(
            apply_delta(b"abc", &[3, 1, 0], &mut out).is_err(),
            "command 0"
        );
        assert!(
            apply_delta(b"abc", &[3, 2, 1, b'x'], &mut out).is_err(),
            "short result"
        );
    }
}
