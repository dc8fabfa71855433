//! Roster's domain: types built only by parsing, the `Store` trait the backends
//! implement, the `Clock`, and the use-case services. No HTTP and no SQL here.

pub mod audit;
pub mod catalog;
pub mod clock;
pub mod console;
pub mod domain;
pub mod error;
pub mod export;
pub mod group_commit;
pub mod import;
pub mod imports;
pub mod licensing;
pub mod model;
pub mod paging;
pub mod secrets;
pub mod service;
pub mod store;

pub use clock::{Clock, SystemClock, TestClock};
pub use error::{Error, Result};
pub use service::{Policy, Services};
pub use store::Store;
