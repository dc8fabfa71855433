//! `roster users`: a customer's users, one at a time or a page at a time.

use super::{ApiClient, ClientError, Connection, json_line, print_rows};
use anyhow::Context;
use clap::{Subcommand, ValueEnum};
use reqwest::Method;
use roster_api::{
    CreatedUserDto, NewUserInput, ResetPasswordResponse, RestoreRequest, RestoreResponse, UnrestoredLicense, UserDto,
    UserPage,
};
use serde::Serialize;
use uuid::Uuid;

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum State {
    Active,
    Deleted,
}

impl State {
    fn as_str(self) -> &'static str {
        match self {
            State::Active => "active",
            State::Deleted => "deleted",
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum UsersCommand {
    /// List a customer's users; filters combine with AND.
    List {
        #[command(flatten)]
        conn: Connection,
        #[arg(long)]
        customer: Uuid,
        #[arg(long, value_enum)]
        state: Option<State>,
        #[arg(long)]
        search: Option<String>,
        /// PRODUCT_ID, none or any
        #[arg(long)]
        license: Option<String>,
        /// a role, or any
        #[arg(long)]
        role: Option<String>,
        #[arg(long)]
        usage_location: Option<String>,
        /// allowed or blocked
        #[arg(long)]
        sign_in: Option<String>,
        /// displayName, userPrincipalName or createdAt, - for descending
        #[arg(long, allow_hyphen_values = true)]
        sort: Option<String>,
        #[arg(long, default_value_t = 50)]
        limit: u32,
        #[arg(long)]
        cursor: Option<String>,
        /// Follow the cursors to the end.
        #[arg(long)]
        all: bool,
    },
    /// Create a user; prints the temporary password once.
    Create {
        #[command(flatten)]
        conn: Connection,
        #[arg(long)]
        customer: Uuid,
        /// The local part, or name@domain.
        #[arg(long)]
        user_name: String,
        #[arg(long)]
        domain: Option<String>,
        #[arg(long)]
        display_name: String,
        #[arg(long)]
        first_name: Option<String>,
        #[arg(long)]
        last_name: Option<String>,
        #[arg(long)]
        usage_location: Option<String>,
        #[arg(long = "role")]
        roles: Vec<String>,
    },
    Get {
        #[command(flatten)]
        conn: Connection,
        #[arg(long)]
        customer: Uuid,
        #[arg(long)]
        user: Uuid,
    },
    /// Prints a new temporary password once.
    ResetPassword {
        #[command(flatten)]
        conn: Connection,
        #[arg(long)]
        customer: Uuid,
        #[arg(long)]
        user: Uuid,
    },
    Delete {
        #[command(flatten)]
        conn: Connection,
        #[arg(long)]
        customer: Uuid,
        #[arg(long)]
        user: Uuid,
    },
    /// Export the active users in the import template's columns (CSV or XLSX).
    Export {
        #[command(flatten)]
        conn: Connection,
        #[arg(long)]
        customer: Uuid,
        /// csv or xlsx
        #[arg(long, default_value = "csv")]
        format: String,
        /// The header language: en, fr, ru, zh-CN or it.
        #[arg(long, default_value = "en")]
        lang: String,
        /// Write here instead of to standard output.
        #[arg(long)]
        out: Option<std::path::PathBuf>,
    },
    /// Restore deleted users within the retention window.
    Restore {
        #[command(flatten)]
        conn: Connection,
        #[arg(long)]
        customer: Uuid,
        #[arg(long = "user", required = true)]
        users: Vec<Uuid>,
    },
}

fn users_path(customer: Uuid) -> String {
    format!("/customers/{customer}/users")
}

fn user_path(customer: Uuid, user: Uuid) -> String {
    format!("/customers/{customer}/users/{user}")
}

impl ApiClient {
    /// One page of a customer's users; `query` holds the list parameters of API.md.
    pub async fn users_page(
        &self,
        customer: Uuid,
        query: &[(String, String)],
        cursor: Option<&str>,
    ) -> Result<UserPage, ClientError> {
        self.page(&users_path(customer), query, cursor).await
    }

    /// Every user `query` selects from `cursor` on, with their total count.
    pub async fn all_users(
        &self,
        customer: Uuid,
        query: &[(String, String)],
        cursor: Option<String>,
    ) -> Result<(Vec<UserDto>, i64), ClientError> {
        self.paginate::<UserPage>(&users_path(customer), query, cursor).await
    }

    pub async fn create_user(&self, customer: Uuid, user: &NewUserInput) -> Result<CreatedUserDto, ClientError> {
        self.json(self.request(Method::POST, &users_path(customer)).json(user)).await
    }

    pub async fn user(&self, customer: Uuid, user: Uuid) -> Result<UserDto, ClientError> {
        self.json(self.request(Method::GET, &user_path(customer, user))).await
    }

    pub async fn reset_password(&self, customer: Uuid, user: Uuid) -> Result<ResetPasswordResponse, ClientError> {
        let path = format!("{}/reset-password", user_path(customer, user));
        self.json(self.request(Method::POST, &path)).await
    }

    pub async fn delete_user(&self, customer: Uuid, user: Uuid) -> Result<(), ClientError> {
        self.text(self.request(Method::DELETE, &user_path(customer, user))).await.map(drop)
    }

    /// The active users as a file in the import template's columns.
    pub async fn export_users(&self, customer: Uuid, format: &str, lang: &str) -> Result<Vec<u8>, ClientError> {
        let path = format!("{}/export", users_path(customer));
        self.file(self.request(Method::GET, &path).query(&[("format", format), ("lang", lang)])).await
    }

    pub async fn restore_users(&self, customer: Uuid, user_ids: Vec<Uuid>) -> Result<RestoreResponse, ClientError> {
        let path = format!("{}/restore", users_path(customer));
        self.json(self.request(Method::POST, &path).json(&RestoreRequest { user_ids })).await
    }
}

const USER_COLUMNS: [(&str, &str); 6] = [
    ("id", "ID"),
    ("userPrincipalName", "USERNAME"),
    ("displayName", "DISPLAY NAME"),
    ("usageLocation", "LOCATION"),
    ("roles", "ROLES"),
    ("state", "STATE"),
];

/// A created user as the table shows it.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CreatedRow<'a> {
    id: Uuid,
    user_principal_name: &'a str,
    temporary_password: &'a str,
}

/// A restore result as the table and `--json` show it: the error by its code.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RestoreRow {
    user_id: Uuid,
    status: String,
    restored_licenses: Vec<String>,
    unrestored_licenses: Vec<UnrestoredLicense>,
    #[serde(skip_serializing_if = "Option::is_none")]
    user: Option<UserDto>,
    error: Option<String>,
}

pub async fn run_users(cmd: UsersCommand) -> anyhow::Result<()> {
    match cmd {
        UsersCommand::List {
            conn,
            customer,
            state,
            search,
            license,
            role,
            usage_location,
            sign_in,
            sort,
            limit,
            cursor,
            all,
        } => {
            let api = conn.client();
            let mut query = vec![("limit".to_owned(), limit.to_string())];
            let optional = [
                ("state", state.map(|s| s.as_str().to_owned())),
                ("search", search),
                ("license", license),
                ("role", role),
                ("usageLocation", usage_location),
                ("signIn", sign_in),
                ("sort", sort),
            ];
            query.extend(optional.into_iter().filter_map(|(k, v)| v.map(|v| (k.to_owned(), v))));
            let (users, total, next) = if all {
                let (users, total) = api.all_users(customer, &query, cursor).await?;
                (users, total, None)
            } else {
                let page = api.users_page(customer, &query, cursor.as_deref()).await?;
                (page.items, page.total_count, page.cursors.next)
            };
            print_rows(&conn, &users, &USER_COLUMNS)?;
            if !conn.json && !conn.csv {
                eprintln!(
                    "{} of {total} users{}",
                    users.len(),
                    next.map(|c| format!("; next page: --cursor {c}")).unwrap_or_default()
                );
            }
        }
        UsersCommand::Create {
            conn,
            customer,
            user_name,
            domain,
            display_name,
            first_name,
            last_name,
            usage_location,
            roles,
        } => {
            let user = NewUserInput {
                user_name,
                domain,
                first_name,
                last_name,
                display_name,
                usage_location,
                roles,
                licenses: Vec::new(),
            };
            let created = conn.client().create_user(customer, &user).await?;
            if conn.json {
                println!("{}", json_line(&created)?);
            } else {
                let row = CreatedRow {
                    id: created.user.id,
                    user_principal_name: &created.user.user_principal_name,
                    temporary_password: &created.temporary_password,
                };
                print_rows(
                    &conn,
                    &[row],
                    &[
                        ("id", "ID"),
                        ("userPrincipalName", "USERNAME"),
                        ("temporaryPassword", "TEMPORARY PASSWORD (shown once)"),
                    ],
                )?;
            }
        }
        UsersCommand::Get { conn, customer, user } => {
            let u = conn.client().user(customer, user).await?;
            if conn.json { println!("{}", json_line(&u)?) } else { print_rows(&conn, &[u], &USER_COLUMNS)? }
        }
        UsersCommand::ResetPassword { conn, customer, user } => {
            let r = conn.client().reset_password(customer, user).await?;
            if conn.json {
                println!("{}", json_line(&r)?);
            } else {
                print_rows(
                    &conn,
                    &[r],
                    &[("temporaryPassword", "TEMPORARY PASSWORD (shown once)"), ("expiresAt", "EXPIRES")],
                )?;
            }
        }
        UsersCommand::Delete { conn, customer, user } => {
            conn.client().delete_user(customer, user).await?;
            if conn.json {
                println!("{}", serde_json::json!({"userId": user, "state": "deleted"}))
            } else {
                println!("deleted {user}")
            }
        }
        UsersCommand::Export { conn, customer, format, lang, out } => {
            let bytes = conn.client().export_users(customer, &format, &lang).await?;
            match out {
                Some(out) => std::fs::write(&out, &bytes).with_context(|| format!("writing {}", out.display()))?,
                None => {
                    use std::io::Write;
                    std::io::stdout().write_all(&bytes)?;
                }
            }
        }
        UsersCommand::Restore { conn, customer, users } => {
            let restored = conn.client().restore_users(customer, users).await?;
            let rows: Vec<RestoreRow> = restored
                .results
                .into_iter()
                .map(|r| RestoreRow {
                    user_id: r.user_id,
                    status: r.status,
                    restored_licenses: r.restored_licenses,
                    unrestored_licenses: r.unrestored_licenses,
                    user: r.user,
                    error: r.error.map(|e| e.code),
                })
                .collect();
            print_rows(
                &conn,
                &rows,
                &[
                    ("userId", "USER"),
                    ("status", "STATUS"),
                    ("restoredLicenses", "RESTORED LICENSES"),
                    ("error", "ERROR"),
                ],
            )?;
        }
    }
    Ok(())
}
