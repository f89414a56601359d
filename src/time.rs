//! Dates: Unix seconds to and from RFC 3339 in UTC (proleptic Gregorian, no leap seconds), with
//! Howard Hinnant's civil-date algorithms. One place for every stage that prints or reads dates
//! (git commit dates, certificate validity, inventory ages, `--now`).

/// RFC 3339 UTC from Unix seconds (proleptic Gregorian, no leap seconds).
pub fn rfc3339(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Civil-from-days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// `2024-05-01` or an RFC 3339 instant (`2024-05-01T12:00:00Z`) as seconds since the epoch.
pub fn parse_date(s: &str) -> Result<i64, String> {
    let bad = || format!("bad date {s:?} (expected YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ)");
    let (d, t) = s.split_once('T').unwrap_or((s, "00:00:00Z"));
    let mut ymd = d.split('-').map(|p| p.parse::<i64>().ok());
    let (Some(Some(y)), Some(Some(m)), Some(Some(day)), None) =
        (ymd.next(), ymd.next(), ymd.next(), ymd.next())
    else {
        return Err(bad());
    };
    if !(1..=12).contains(&m) || !(1..=31).contains(&day) {
        return Err(bad());
    }
    let t = t.trim_end_matches('Z');
    let mut hms = t.split(':').map(|p| p.parse::<i64>().ok());
    let (Some(Some(h)), Some(Some(mi)), Some(Some(sec))) = (hms.next(), hms.next(), hms.next())
    else {
        return Err(bad());
    };
    // Days from civil (Howard Hinnant's algorithm).
    let y2 = if m <= 2 { y - 1 } else { y };
    let era = y2.div_euclid(400);
    let yoe = y2 - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Ok(days * 86_400 + h * 3600 + mi * 60 + sec)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_and_parses() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_583_064_000), "2020-03-01T12:00:00Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339(-1), "1969-12-31T23:59:59Z");
        assert_eq!(rfc3339(1_577_836_800), "2020-01-01T00:00:00Z");
        assert_eq!(rfc3339(4_102_444_799), "2099-12-31T23:59:59Z");
        assert_eq!(parse_date("1970-01-01"), Ok(0));
        assert_eq!(parse_date("2020-03-01T12:00:00Z"), Ok(1_583_064_000));
        assert_eq!(parse_date(&rfc3339(951_782_400)), Ok(951_782_400));
        assert!(parse_date("2020-13-01").is_err());
        assert!(parse_date("yesterday").is_err());
    }
}
