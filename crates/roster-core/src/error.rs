//! The core's error type. Each variant is an outcome a caller can act on and has a
//! stable `code`; `Internal` carries the cause chain for the log and nothing else.

use crate::domain::{Invalid, Words};
use crate::imports::{Column, FileError, ImportError};
use crate::licensing::{LicenseError, LicenseErrorCode};
use crate::model::ImportRowError;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// `message` is the API's English; `words`, when the refusal has them, say
    /// it in the console's languages.
    #[error("{field}: {message}")]
    Validation { field: String, message: String, words: Option<Words> },
    #[error("not found")]
    NotFound,
    #[error("you do not have the right to do this")]
    Forbidden,
    #[error("user not found")]
    UserNotFound,
    #[error("{field}: {message}")]
    InvalidUsername { field: String, message: String, words: Option<Words> },
    #[error("the user is deleted")]
    UserDeleted,
    #[error("the user is not deleted")]
    UserNotDeleted,
    #[error("the username {0} is already taken")]
    UsernameTaken(String),
    #[error("{0} is not one of the customer's domains")]
    DomainNotOwned(String),
    #[error("the domain {0} already belongs to a customer")]
    DomainTaken(String),
    #[error("the email {0} is already used by an agent")]
    EmailTaken(String),
    #[error("the restore window has expired")]
    RestoreWindowExpired,
    #[error("the customer has no subscription for product {0}")]
    ProductNotOwned(String),
    /// A license the request asks for breaks a catalog rule or finds no seat.
    #[error("{message}")]
    License { product_id: String, code: LicenseErrorCode, message: String },
    #[error("the customer already has a subscription for {0}; change its quantity instead")]
    SubscriptionExists(String),
    #[error("the quantity cannot drop below the {0} seats assigned")]
    QuantityBelowAssigned(i64),
    /// The resource changed since the version the caller named (`If-Match`).
    #[error("it was changed since the version you sent; read it again and make your change on that")]
    PreconditionFailed,
    /// An import file, or some of its rows, cannot be imported; nothing was written.
    #[error(transparent)]
    Import(#[from] ImportError),
    /// The database could not take the change for now (its transactions kept
    /// colliding); nothing was changed, and the same request may well succeed.
    #[error("the change could not be made just now; nothing was changed, try again")]
    TryAgain,
    /// The database cannot be reached just now (it is down, restarting, or every
    /// connection to it is busy past the pool's acquire timeout); the request
    /// failed as a whole, and the same request succeeds once it is back.
    #[error("the database cannot be reached just now; try again in a moment")]
    Unavailable,
    /// The database's disk is full: the write was refused as a whole and nothing
    /// was changed. Reads still work; writes work again once space is freed.
    #[error("the database's storage is full; nothing was changed, and reads still work")]
    StorageFull,
    #[error("internal error")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl Error {
    /// A refused value of `field`: with words of their own when `detail` is an
    /// [`Invalid`], or English alone (the console then says only the code's sentence).
    pub fn validation(field: impl Into<String>, detail: impl Into<Detail>) -> Self {
        let Detail { message, words } = detail.into();
        Self::Validation { field: field.into(), message, words }
    }

    /// The words of a refused value, if it has them.
    pub fn words(&self) -> Option<&Words> {
        match self {
            Self::Validation { words, .. } | Self::InvalidUsername { words, .. } => words.as_ref(),
            _ => None,
        }
    }

    pub fn internal(e: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self::Internal(Box::new(e))
    }

    /// How an import reports a user its worker could not create, in the column
    /// that holds the problem: seats and licenses are the Licenses column's;
    /// anything else (a username taken since the file was checked) is the
    /// Username column's.
    pub fn import_row_error(&self) -> ImportRowError {
        let column = match self {
            Self::License { .. } | Self::ProductNotOwned(_) => Column::Licenses,
            _ => Column::Username,
        };
        ImportRowError {
            column: Some(column.name().into()),
            code: self.code().into(),
            message: self.to_string(),
            words: None,
        }
    }

    /// The stable code of API.md.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Validation { .. } => "validation_failed",
            Self::NotFound => "not_found",
            Self::Forbidden => "forbidden",
            Self::UserNotFound => "user_not_found",
            Self::InvalidUsername { .. } => "invalid_username",
            Self::UserDeleted => "user_deleted",
            Self::UserNotDeleted => "user_not_deleted",
            Self::UsernameTaken(_) => "username_taken",
            Self::DomainNotOwned(_) => "domain_not_owned",
            Self::DomainTaken(_) => "domain_taken",
            Self::EmailTaken(_) => "email_taken",
            Self::RestoreWindowExpired => "restore_window_expired",
            Self::ProductNotOwned(_) => "product_not_owned",
            Self::License { code, .. } => code.as_str(),
            Self::Import(e) => e.code(),
            Self::SubscriptionExists(_) => "subscription_exists",
            Self::QuantityBelowAssigned(_) => "quantity_below_assigned",
            Self::TryAgain => "try_again",
            Self::Unavailable => "database_unavailable",
            Self::StorageFull => "storage_full",
            Self::PreconditionFailed => "precondition_failed",
            Self::Internal(_) => "internal_error",
        }
    }
}

/// What a validation error says: the API's English, and the console's words
/// when there are any.
#[derive(Debug, Clone)]
pub struct Detail {
    message: String,
    words: Option<Words>,
}

impl From<Invalid> for Detail {
    fn from(e: Invalid) -> Self {
        let (message, words) = e.into_parts();
        Self { message, words: Some(words) }
    }
}

impl From<&str> for Detail {
    fn from(message: &str) -> Self {
        Self { message: message.to_owned(), words: None }
    }
}

impl From<String> for Detail {
    fn from(message: String) -> Self {
        Self { message, words: None }
    }
}

impl From<LicenseError> for Error {
    fn from(e: LicenseError) -> Self {
        match e.code {
            LicenseErrorCode::ProductNotOwned => Self::ProductNotOwned(e.product_id.as_ref().to_owned()),
            code => Self::License { product_id: e.product_id.as_ref().to_owned(), code, message: e.message },
        }
    }
}

impl From<FileError> for Error {
    fn from(e: FileError) -> Self {
        Self::Import(e.into())
    }
}
