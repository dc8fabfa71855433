//! The core's error type. Each variant is an outcome a caller can act on and has a
//! stable `code`; `Internal` carries the cause chain for the log and nothing else.

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{field}: {message}")]
    Validation { field: String, message: String },
    #[error("not found")]
    NotFound,
    #[error("you do not have the right to do this")]
    Forbidden,
    #[error("user not found")]
    UserNotFound,
    #[error("{field}: {message}")]
    InvalidUsername { field: String, message: String },
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
    License { product_id: String, code: crate::licensing::LicenseErrorCode, message: String },
    #[error("the customer already has a subscription for {0}; change its quantity instead")]
    SubscriptionExists(String),
    #[error("the quantity cannot drop below the {0} seats assigned")]
    QuantityBelowAssigned(i64),
    /// The import file cannot be read as a whole.
    #[error("{0}")]
    ImportFile(#[from] crate::import::FileError),
    /// Rows of an import file are wrong; nothing was written.
    #[error("{} rows of the file have problems; nothing was imported", .0.len())]
    ImportRows(Vec<crate::import::RowReport>),
    #[error("internal error")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl Error {
    pub fn validation(field: impl Into<String>, message: impl std::fmt::Display) -> Self {
        Self::Validation { field: field.into(), message: message.to_string() }
    }

    pub fn internal(e: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self::Internal(Box::new(e))
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
            Self::ImportFile(e) => e.code(),
            Self::ImportRows(_) => "validation_failed",
            Self::SubscriptionExists(_) => "subscription_exists",
            Self::QuantityBelowAssigned(_) => "quantity_below_assigned",
            Self::Internal(_) => "internal_error",
        }
    }
}
