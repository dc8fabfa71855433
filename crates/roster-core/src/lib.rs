//! Roster's domain: types built only by parsing (`domain`), the licensing rules
//! and planners (`licensing`), import files (`imports`), the `Store` traits the
//! backends implement, the `Clock`, and the use cases (`services`). No HTTP and no
//! SQL here.

pub mod audit;
pub mod catalog;
pub mod clock;
pub mod domain;
pub mod error;
pub mod idempotency;
pub mod imports;
pub mod licensing;
pub mod metrics;
pub mod model;
pub mod paging;
pub mod secrets;
pub mod services;
pub mod store;
pub mod versions;

pub use clock::{Clock, SystemClock, TestClock};
pub use error::{Error, Result};
pub use services::{Policy, Services};
pub use store::Store;
