//! Sending temporary passwords by email, through SMTP with lettre.

use super::i18n::Localized;
use super::users::Credential;
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart, header::ContentType};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use roster_core::domain::Language;

/// Where mail goes: `smtp://host:port` (plain, for a relay on the same network),
/// `smtp+starttls://host:port` or `smtps://host:port`, each with optional
/// `user:password@`; and the sender's address.
#[derive(Clone)]
pub struct SmtpConfig {
    scheme: Scheme,
    host: String,
    port: u16,
    credentials: Option<(String, String)>,
    pub from: String,
}

impl std::fmt::Debug for SmtpConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpConfig")
            .field("scheme", &self.scheme)
            .field("host", &self.host)
            .field("port", &self.port)
            .field("from", &self.from)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, Copy)]
enum Scheme {
    Plain,
    StartTls,
    Tls,
}

impl SmtpConfig {
    pub fn parse(url: &str, from: &str) -> Result<Self, String> {
        let (scheme, rest) = if let Some(r) = url.strip_prefix("smtp://") {
            (Scheme::Plain, r)
        } else if let Some(r) = url.strip_prefix("smtp+starttls://") {
            (Scheme::StartTls, r)
        } else if let Some(r) = url.strip_prefix("smtps://") {
            (Scheme::Tls, r)
        } else {
            return Err("the SMTP URL must start with smtp://, smtp+starttls:// or smtps://".into());
        };
        let rest = rest.trim_end_matches('/');
        let (credentials, host_port) = match rest.rsplit_once('@') {
            Some((user_info, hp)) => {
                let (u, p) = user_info.split_once(':').unwrap_or((user_info, ""));
                (Some((u.to_owned(), p.to_owned())), hp)
            }
            None => (None, rest),
        };
        let default_port = match scheme {
            Scheme::Plain => 25,
            Scheme::StartTls => 587,
            Scheme::Tls => 465,
        };
        let (host, port) = match host_port.rsplit_once(':') {
            Some((h, p)) => (h, p.parse::<u16>().map_err(|_| format!("bad SMTP port {p}"))?),
            None => (host_port, default_port),
        };
        if host.is_empty() {
            return Err("the SMTP URL has no host".into());
        }
        from.parse::<Mailbox>().map_err(|e| format!("bad sender address {from}: {e}"))?;
        Ok(Self { scheme, host: host.to_owned(), port, credentials, from: from.to_owned() })
    }

    fn transport(&self) -> Result<AsyncSmtpTransport<Tokio1Executor>, lettre::transport::smtp::Error> {
        let builder = match self.scheme {
            Scheme::Plain => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&self.host),
            Scheme::StartTls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&self.host)?,
            Scheme::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&self.host)?,
        };
        let builder = builder.port(self.port).timeout(Some(std::time::Duration::from_secs(20)));
        let builder = match &self.credentials {
            Some((u, p)) => builder.credentials(Credentials::new(u.clone(), p.clone())),
            None => builder,
        };
        Ok(builder.build())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("the address {0} is not a valid email address")]
    Address(String),
    #[error("the message could not be built: {0}")]
    Build(#[from] lettre::error::Error),
    #[error("the mail server refused or could not be reached: {0}")]
    Smtp(#[from] lettre::transport::smtp::Error),
}

/// The message's text: one line per user, in the agent's language.
pub fn credentials_text(lang: Language, credentials: &[Credential]) -> String {
    let mut body = lang.t("email-intro");
    body.push_str("\n\n");
    for c in credentials {
        body.push_str(&format!("{}\t{}\n", c.user_principal_name, c.password));
    }
    body.push('\n');
    body.push_str(&lang.t("email-outro"));
    body.push('\n');
    body
}

/// Sends the text with the same CSV attached.
pub async fn send(config: &SmtpConfig, to: &str, subject: &str, text: String, csv: String) -> Result<(), MailError> {
    let to: Mailbox = to.parse().map_err(|_| MailError::Address(to.to_owned()))?;
    let from: Mailbox = config.from.parse().map_err(|_| MailError::Address(config.from.clone()))?;
    let csv_type = ContentType::parse("text/csv; charset=utf-8").unwrap_or(ContentType::TEXT_PLAIN);
    let message = Message::builder().from(from).to(to).subject(subject).multipart(
        MultiPart::mixed()
            .singlepart(SinglePart::plain(text))
            .singlepart(Attachment::new("temporary-passwords.csv".into()).body(csv, csv_type)),
    )?;
    config.transport()?.send(message).await?;
    Ok(())
}
