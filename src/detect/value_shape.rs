//! Values whose structure says they are no credential, whatever key they are assigned to.
//!
//! The generic rules take the value next to a key named like a password, secret or token. Real
//! code and documentation put many structured non-credentials there: an AWS SigV4 credential
//! *scope*, a Maven/Gradle coordinate, a CSS selector, a test-suite variable, or the first field
//! of a query string or cookie whose further fields the value regex swallowed. Each check here
//! recognises one such structure from its own grammar, so that the shared filter in `filter`
//! stays about placeholders and randomness.

/// Cut a value at the first field separator that starts another `name=` field (`12345&id=x`,
/// `xt;Domain=.example.org`): a query string, form body or cookie whose first field is the value.
/// With `url_options` a `;word` suffix is cut too: in a URL's user-info it carries login options
/// (`pass;AUTH=NTLM`, `secret;opt`), not part of the password.
pub fn first_field(value: &[u8], url_options: bool) -> &[u8] {
    for (i, &c) in value.iter().enumerate() {
        if c != b'&' && c != b';' {
            continue;
        }
        // A field name: letters (`id`, `Domain`, `$skiptoken`), no digits, as generated
        // passwords have letters and digits mixed (`Ab3&cd9=Kq` stays whole).
        let rest = &value[i + 1..];
        let name = rest
            .iter()
            .take_while(|c| c.is_ascii_alphabetic() || matches!(c, b'_' | b'-' | b'$'))
            .count();
        if name >= 2 && rest.get(name) == Some(&b'=') {
            return &value[..i];
        }
        if url_options && c == b';' && is_login_options(rest) {
            return &value[..i];
        }
    }
    value
}

/// `AUTH=NTLM`, `AUTH=*`, `opt`, `updated`: a login-option word, optionally `=value`.
fn is_login_options(b: &[u8]) -> bool {
    let word = b.iter().take_while(|c| c.is_ascii_alphabetic()).count();
    let tail = &b[word..];
    word >= 2
        && (tail.is_empty()
            || (tail[0] == b'='
                && tail[1..]
                    .iter()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'*'))))
}

/// Drop closing brackets that open nowhere in the value and trailing `,` / `;`: the regex ran
/// past the end of an expression (`NULL),`, `auth_token]`, `true)`).
pub fn trim_unbalanced_closers(mut b: &[u8]) -> &[u8] {
    while let Some((&last, rest)) = b.split_last() {
        let opener = match last {
            b')' => b'(',
            b']' => b'[',
            b'}' => b'{',
            b',' | b';' => 0,
            _ => break,
        };
        if opener != 0 && rest.contains(&opener) {
            break;
        }
        b = rest;
    }
    b
}

/// True if the value has one of the structures below that no credential has.
pub fn is_structured_non_secret(b: &[u8]) -> bool {
    is_sigv4_scope(b)
        || is_artifact_coordinate(b)
        || is_selector(b)
        || is_percent_vars_only(b)
        || is_concatenation(b)
}

/// `+authKey`, `+ token,`, `. $secret`: the rest of a string concatenation in code (`"--authkey="
/// + authKey`), where the value the regex took is the operator and a variable's name.
fn is_concatenation(b: &[u8]) -> bool {
    let Some((&op, rest)) = b.split_first() else {
        return false;
    };
    let rest = trim_unbalanced_closers(rest.trim_ascii_start());
    let rest = rest.strip_prefix(b"$").unwrap_or(rest);
    matches!(op, b'+' | b'.')
        && rest
            .first()
            .is_some_and(|c| c.is_ascii_alphabetic() || *c == b'_')
        && rest
            .iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.'))
}

/// An AWS Signature V4 credential scope, `KEYID/20150830/us-east-1/iam/aws4_request`: the public
/// key *id*, a date, region and service; the signature's secret never appears in it.
fn is_sigv4_scope(b: &[u8]) -> bool {
    let parts: Vec<&[u8]> = b.split(|&c| c == b'/').collect();
    parts.len() == 5
        && parts[1].len() == 8
        && parts[1].iter().all(u8::is_ascii_digit)
        && parts[4].ends_with(b"_request")
}

/// `group:artifact:version` (Maven, Gradle, Ivy), optionally with packaging and classifier: a
/// dotted group, identifiers, and a version that starts with a digit.
fn is_artifact_coordinate(b: &[u8]) -> bool {
    let parts: Vec<&[u8]> = b.split(|&c| c == b':').collect();
    let ident = |p: &[u8]| {
        !p.is_empty()
            && p.iter()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b'-'))
    };
    (3..=5).contains(&parts.len())
        && parts.iter().all(|p| ident(p))
        && parts[0].contains(&b'.')
        && parts[0].first().is_some_and(u8::is_ascii_alphabetic)
        && parts
            .last()
            .is_some_and(|v| v.first().is_some_and(u8::is_ascii_digit) && v.contains(&b'.'))
}

/// A CSS/DOM selector, `#add-password` or `.js-token-input`: `#` or `.` then an identifier made
/// of words joined by `-` or `_`.
fn is_selector(b: &[u8]) -> bool {
    let Some((&sigil, name)) = b.split_first() else {
        return false;
    };
    matches!(sigil, b'#' | b'.')
        && (name.contains(&b'-') || name.contains(&b'_'))
        && name.first().is_some_and(u8::is_ascii_lowercase)
        && name
            .iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, b'-' | b'_'))
        && crate::detect::words::is_wordy(name)
}

/// Test-suite and build variables `%HTTPPORT`, `%HOSTIP` (upper-case names after `%`, no
/// closing `%`), with nothing but punctuation around them: a template, filled in at run time.
fn is_percent_vars_only(b: &[u8]) -> bool {
    let (mut i, mut vars, mut rest_alnum) = (0, 0, false);
    while i < b.len() {
        let name = if b[i] == b'%' {
            b[i + 1..]
                .iter()
                .take_while(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || **c == b'_')
                .count()
        } else {
            0
        };
        if name >= 3 && b[i + 1].is_ascii_uppercase() {
            vars += 1;
            i += 1 + name;
        } else {
            rest_alnum |= b[i].is_ascii_alphanumeric();
            i += 1;
        }
    }
    vars > 0 && !rest_alnum
}

/// A UUID in its 8-4-4-4-12 hex form: an identifier, never a credential.
pub fn is_uuid(s: &[u8]) -> bool {
    s.len() == 36
        && s.iter().enumerate().all(|(i, &c)| match i {
            8 | 13 | 18 | 23 => c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn concatenations_are_code() {
        for v in [&b"+authKey,"[..], b"+ token", b". $secret", b"+cfg.apiKey)"] {
            assert!(is_structured_non_secret(v), "{v:?}");
        }
        for v in [&b"+Xk9#mQ2pL7"[..], b".htpasswd-Zq7", b"+1555123456"] {
            assert!(!is_structured_non_secret(v), "{v:?}");
        }
    }

    #[test]
    fn fields_are_cut_at_the_next_assignment() {
        assert_eq!(first_field(b"12345&id=blah&x=y", false), b"12345");
        assert_eq!(first_field(b"xt;Domain=.z.x.com;Path=/", false), b"xt");
        assert_eq!(first_field(b"pass;auth=NTLM", true), b"pass");
        assert_eq!(first_field(b"pass;word", true), b"pass");
        // A `&` or `;` inside a password that starts no field stays.
        assert_eq!(first_field(b"Q9v!x2&Lr-Zt", false), b"Q9v!x2&Lr-Zt");
        assert_eq!(first_field(b"Zt;9x!Lr", true), b"Zt;9x!Lr");
        assert_eq!(first_field(b"pass;word", false), b"pass;word");
        assert_eq!(first_field(b"Ab3&cd9=Kq", false), b"Ab3&cd9=Kq");
        assert_eq!(first_field(b"Xk9;mQ2pL7", true), b"Xk9;mQ2pL7");
        assert_eq!(first_field(b"secret;AUTH=XOAUTH2", true), b"secret");
    }

    #[test]
    fn closers_without_openers_are_trimmed() {
        assert_eq!(trim_unbalanced_closers(b"NULL),"), b"NULL");
        assert_eq!(trim_unbalanced_closers(b"auth_token]"), b"auth_token");
        assert_eq!(trim_unbalanced_closers(b"f(x)"), b"f(x)");
        assert_eq!(trim_unbalanced_closers(b"Xk9)"), b"Xk9");
    }

    #[test]
    fn structured_non_secrets() {
        for v in [
            "AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request",
            "xxx/19700101/ple/exam/xxx4_request",
            "com.example.security:token-client:2.4.1",
            "org.acme:auth-core:jar:1.0.0-SNAPSHOT",
            "#add-password",
            ".js-token-input",
            "%HTTPPORT#",
            "%HOSTIP:%HTTPPORT",
        ] {
            assert!(is_structured_non_secret(v.as_bytes()), "{v}");
        }
        for v in [
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCY/EXAMPLEKEY",
            "Q9v!x2Lr-Zt",
            "db:5432:Xk9mQ2pLv",
            "#Xk9mQ2pL!",
            "%fB!^*c42*hBl409",
            "%ABCdef12",
        ] {
            assert!(!is_structured_non_secret(v.as_bytes()), "{v}");
        }
    }

    #[test]
    fn uuid_shape() {
        assert!(is_uuid(b"123e4567-e89b-12d3-a456-426614174000"));
        assert!(!is_uuid(b"123e4567e89b12d3a456426614174000xxxx"));
    }
}
