//! How a domain error leaves over HTTP, for the API and the console alike.
//!
//! Policy: one map from [`roster_core::Error`] to a status, so a refusal has the
//! same status in JSON and on a page. Internal errors are logged here with their
//! whole cause chain; callers show them only as a generic message.

use axum::http::StatusCode;
use roster_core::Error;
use roster_core::imports::ImportError;
use roster_core::licensing::LicenseErrorCode;

/// The status of a domain error, shared by the API, its per-item batch results
/// and the console's pages.
pub fn status(e: &Error) -> StatusCode {
    match e {
        Error::Validation { .. }
        | Error::InvalidUsername { .. }
        | Error::DomainNotOwned(_)
        | Error::ProductNotOwned(_) => StatusCode::BAD_REQUEST,
        Error::License { code: LicenseErrorCode::InsufficientLicenses, .. } => StatusCode::CONFLICT,
        Error::License { .. } => StatusCode::BAD_REQUEST,
        Error::Import(ImportError::File(e)) if e.code() == "payload_too_large" => StatusCode::PAYLOAD_TOO_LARGE,
        Error::Import(_) => StatusCode::BAD_REQUEST,
        Error::NotFound | Error::UserNotFound => StatusCode::NOT_FOUND,
        Error::Forbidden => StatusCode::FORBIDDEN,
        Error::UserDeleted
        | Error::UserNotDeleted
        | Error::UsernameTaken(_)
        | Error::DomainTaken(_)
        | Error::EmailTaken(_)
        | Error::RestoreWindowExpired
        | Error::SubscriptionExists(_)
        | Error::QuantityBelowAssigned(_) => StatusCode::CONFLICT,
        Error::TryAgain | Error::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        Error::StorageFull => StatusCode::INSUFFICIENT_STORAGE,
        Error::PreconditionFailed => StatusCode::PRECONDITION_FAILED,
        Error::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// Logs an internal error with every cause in its chain.
pub fn log_internal(e: &(dyn std::error::Error + 'static)) {
    let mut chain = vec![e.to_string()];
    let mut source = e.source();
    while let Some(s) = source {
        chain.push(s.to_string());
        source = s.source();
    }
    tracing::error!(error.chain = %chain.join(": "), "internal error");
}

/// Logs a failure of background work (the purge, the import worker), which
/// tries again at its next turn: a database that is away or full is a warning
/// (the store has logged its cause), anything else an internal error.
pub fn log_background(e: &Error) {
    match e {
        Error::Unavailable | Error::StorageFull | Error::TryAgain => {
            tracing::warn!(code = e.code(), "background work failed; it runs again at its next turn");
        }
        other => log_internal(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use roster_core::imports::FileError;

    #[test]
    fn seats_that_run_out_conflict_and_other_license_rules_are_bad_requests() {
        let license = |code| Error::License { product_id: "P".into(), code, message: String::new() };
        assert_eq!(status(&license(LicenseErrorCode::InsufficientLicenses)), StatusCode::CONFLICT);
        assert_eq!(status(&license(LicenseErrorCode::DependencyMissing)), StatusCode::BAD_REQUEST);
    }

    #[test]
    fn only_a_file_over_the_limits_is_too_large() {
        assert_eq!(status(&FileError::TooLarge.into()), StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(status(&FileError::TooManyRows(100_001).into()), StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(status(&FileError::NoRows.into()), StatusCode::BAD_REQUEST);
    }
}
