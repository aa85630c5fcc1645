//! Database URLs: which backend a URL names, and a form of it that is safe to print.

use crate::StoreError;

/// The backends a URL can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// `sqlite:…`
    Sqlite,
    /// `postgres://…` or `postgresql://…`
    Postgres,
}

impl Backend {
    /// The backend named by a URL's scheme.
    pub fn of_url(url: &str) -> Result<Backend, StoreError> {
        let scheme = url.split_once(':').map(|(s, _)| s.to_ascii_lowercase());
        match scheme.as_deref() {
            Some("sqlite") => Ok(Backend::Sqlite),
            Some("postgres" | "postgresql") => Ok(Backend::Postgres),
            _ => Err(StoreError::UnsupportedUrl(redact(url))),
        }
    }
}

/// The URL with the password (in the user-info part or a `password=` query parameter)
/// replaced by `***`, for logs and `Debug` output.
pub fn redact(url: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let mut out = match base.split_once("://") {
        Some((scheme, rest)) => {
            let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
            let authority = match authority.rsplit_once('@') {
                Some((userinfo, host)) => match userinfo.split_once(':') {
                    Some((user, _password)) => format!("{user}:***@{host}"),
                    None => authority.to_owned(),
                },
                None => authority.to_owned(),
            };
            format!("{scheme}://{authority}{path}")
        }
        None => base.to_owned(),
    };
    if let Some(query) = query {
        let params: Vec<String> = query
            .split('&')
            .map(|p| match p.split_once('=') {
                Some((k, _)) if k.eq_ignore_ascii_case("password") => format!("{k}=***"),
                _ => p.to_owned(),
            })
            .collect();
        out.push('?');
        out.push_str(&params.join("&"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemes_pick_backends() {
        assert_eq!(Backend::of_url("sqlite::memory:").unwrap(), Backend::Sqlite);
        assert_eq!(
            Backend::of_url("sqlite:///var/lib/examd/site.db").unwrap(),
            Backend::Sqlite
        );
        assert_eq!(
            Backend::of_url("postgres://u@h/db").unwrap(),
            Backend::Postgres
        );
        assert_eq!(
            Backend::of_url("PostgreSQL://u@h/db").unwrap(),
            Backend::Postgres
        );
        match Backend::of_url("mysql://u:secret@h/db") {
            Err(StoreError::UnsupportedUrl(shown)) => assert!(!shown.contains("secret"), "{shown}"),
            other => panic!("{other:?}"),
        }
        assert!(Backend::of_url("site.db").is_err());
    }

    #[test]
    fn passwords_are_hidden() {
        assert_eq!(
            redact("postgres://examd:s3cret@db:5432/examd"),
            "postgres://examd:***@db:5432/examd"
        );
        assert_eq!(
            redact("postgres://examd@db/examd?sslmode=require&password=s3cret"),
            "postgres://examd@db/examd?sslmode=require&password=***"
        );
        // A password holding '@' and ':' still goes.
        assert_eq!(redact("postgres://u:p@:ss@h/d"), "postgres://u:***@h/d");
        assert_eq!(
            redact("sqlite:///var/lib/examd/site.db?mode=rwc"),
            "sqlite:///var/lib/examd/site.db?mode=rwc"
        );
        assert_eq!(redact("sqlite::memory:"), "sqlite::memory:");
    }
}
