//! A customer's users: create (one, or many with a result each), read, change,
//! reset, delete and restore.

use super::MAX_BATCH;
use super::inputs::{NewUserInput, UserPatchInput};
use super::licenses::check_new_user_licenses;
use super::{Services, actor, require};
use crate::domain::*;
use crate::error::{Error, Result};
use crate::model::*;
use crate::paging::*;
use crate::secrets::TemporaryPassword;
use crate::versions::Expected;
use time::OffsetDateTime;
use uuid::Uuid;

/// A created user and the password to show once.
#[derive(Debug)]
pub struct CreatedUser {
    pub user: User,
    pub temporary_password: TemporaryPassword,
}

impl Services {
    /// Parses one user against the customer; `field_prefix` names it in errors.
    pub fn parse_new_user(&self, customer: &Customer, input: &NewUserInput, field_prefix: &str) -> Result<NewUser> {
        let field = |name: &str| format!("{field_prefix}{name}");
        let (name_part, domain_part) = match input.user_name.trim().rsplit_once('@') {
            Some((name, domain)) => {
                if let Some(d) = input.domain.as_deref().filter(|d| !d.trim().is_empty())
                    && !d.trim().eq_ignore_ascii_case(domain)
                {
                    return Err(Error::validation(
                        field("domain"),
                        Invalid::new("invalid-domain-differs", "differs from the domain in userName"),
                    ));
                }
                (name, domain.to_owned())
            }
            None => match input.domain.as_deref().filter(|d| !d.trim().is_empty()) {
                Some(d) => (input.user_name.trim(), d.to_owned()),
                None => {
                    return Err(Error::validation(
                        field("domain"),
                        Invalid::new("invalid-domain-required", "is required unless userName is name@domain"),
                    ));
                }
            },
        };
        let name = UserName::parse(name_part).map_err(|e| {
            let (message, words) = e.into_parts();
            Error::InvalidUsername { field: field("userName"), message, words: Some(words) }
        })?;
        let domain = DomainName::parse(&domain_part).map_err(|e| Error::validation(field("domain"), e))?;
        if !customer.domains.iter().any(|d| d == domain.as_ref()) {
            return Err(Error::DomainNotOwned(domain.into_inner()));
        }
        let person = |v: &Option<String>, f: &str| -> Result<Option<PersonName>> {
            match v {
                Some(s) => PersonName::parse_optional(s).map_err(|e| Error::validation(field(f), e)),
                None => Ok(None),
            }
        };
        let first_name = person(&input.first_name, "firstName")?;
        let last_name = person(&input.last_name, "lastName")?;
        let display_name =
            DisplayName::parse(&input.display_name).map_err(|e| Error::validation(field("displayName"), e))?;
        let usage_location = match input.usage_location.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            Some(c) => Some(CountryCode::parse(c).map_err(|e| Error::validation(field("usageLocation"), e))?),
            None => None,
        };
        let roles = RoleSet::parse_list(&input.roles).map_err(|e| Error::validation(field("roles"), e))?;
        let mut licenses: Vec<LicenseRequest> = Vec::with_capacity(input.licenses.len());
        for (i, l) in input.licenses.iter().enumerate() {
            let at = field(&format!("licenses[{i}].productId"));
            let product_id = ProductId::parse(&l.product_id).map_err(|e| Error::validation(&at, e))?;
            if licenses.iter().any(|seen| seen.product_id == product_id) {
                let twice = format!("{} is listed twice", product_id.as_ref());
                return Err(Error::validation(
                    at,
                    Invalid::new("invalid-listed-twice", twice).arg("value", product_id.as_ref()),
                ));
            }
            let disabled_service_plans = l.disabled_plans(&field(&format!("licenses[{i}]")))?.unwrap_or_default();
            licenses.push(LicenseRequest { product_id, disabled_service_plans });
        }
        Ok(NewUser {
            upn: UserPrincipalName::new(name, domain),
            first_name,
            last_name,
            display_name,
            usage_location,
            roles,
            licenses,
        })
    }

    pub(crate) fn new_record(&self, user: NewUser, now: OffsetDateTime) -> (NewUserRecord, TemporaryPassword) {
        let password = TemporaryPassword::generate();
        let record = NewUserRecord {
            id: Uuid::now_v7(),
            user,
            password_digest: password.digest(),
            password_expires_at: now + self.policy.temporary_password_ttl,
        };
        (record, password)
    }

    pub async fn create_user(&self, agent: &Agent, customer_id: Uuid, input: &NewUserInput) -> Result<CreatedUser> {
        let mut results = self.create_users(agent, customer_id, std::slice::from_ref(input)).await?;
        results.pop().unwrap_or(Err(Error::NotFound))
    }

    /// Creates users one by one; each item gets its own result, in input order.
    pub async fn create_users(
        &self,
        agent: &Agent,
        customer_id: Uuid,
        inputs: &[NewUserInput],
    ) -> Result<Vec<Result<CreatedUser>>> {
        require(agent, &[AgentRole::Admin])?;
        if inputs.is_empty() || inputs.len() > MAX_BATCH {
            return Err(Error::validation("users", format!("send 1 to {MAX_BATCH} users")));
        }
        let customer = self.customer(agent, customer_id).await?;
        // Catalog rules are judged here; seats are counted by the store, under the
        // lock of the transaction that creates the users.
        let rules = if inputs.iter().any(|i| !i.licenses.is_empty()) {
            let owned = self.owned_products(agent.partner_id, customer.id).await?;
            Some((self.store.catalog().await?, owned))
        } else {
            None
        };
        let now = self.now();
        let mut results: Vec<Option<Result<CreatedUser>>> = Vec::with_capacity(inputs.len());
        let mut records = Vec::new();
        let mut passwords = Vec::new();
        let mut slots = Vec::new();
        for input in inputs {
            let parsed = self.parse_new_user(&customer, input, "").and_then(|user| match &rules {
                Some((catalog, owned)) => check_new_user_licenses(catalog, owned, user),
                None => Ok(user),
            });
            match parsed {
                Ok(user) => {
                    let (record, password) = self.new_record(user, now);
                    slots.push(results.len());
                    records.push(record);
                    passwords.push(password);
                    results.push(None);
                }
                Err(e) => results.push(Some(Err(e))),
            }
        }
        if !records.is_empty() {
            // A single create may share a transaction with others arriving at once.
            let stored = match <[NewUserRecord; 1]>::try_from(records) {
                Ok([record]) => {
                    vec![self.create_groups.create(&self.store, actor(agent), customer.id, record, now).await]
                }
                Err(records) => self.store.create_users(actor(agent), customer.id, &records, now).await?,
            };
            for ((slot, outcome), password) in slots.into_iter().zip(stored).zip(passwords) {
                results[slot] = Some(outcome.map(|user| CreatedUser { user, temporary_password: password }));
            }
        }
        Ok(results.into_iter().map(|r| r.unwrap_or(Err(Error::NotFound))).collect())
    }

    pub async fn user(&self, agent: &Agent, customer_id: Uuid, user_id: Uuid) -> Result<User> {
        // The read is scoped to the partner and customer itself. The customer is read
        // only when nothing was found, to tell a missing customer from a missing user.
        match self.store.get_user(agent.partner_id, customer_id, user_id).await? {
            Some(user) => Ok(user),
            None => {
                self.customer(agent, customer_id).await?;
                Err(Error::UserNotFound)
            }
        }
    }

    pub async fn list_users(&self, agent: &Agent, customer_id: Uuid, query: &UserQuery) -> Result<Page<User>> {
        self.customer(agent, customer_id).await?;
        self.store.list_users(agent.partner_id, customer_id, query).await
    }

    pub async fn update_user(
        &self,
        agent: &Agent,
        customer_id: Uuid,
        user_id: Uuid,
        input: &UserPatchInput,
    ) -> Result<User> {
        self.update_user_if(agent, customer_id, user_id, input, None).await
    }

    /// As `update_user`; with `expected`, only while the user is at one of
    /// those versions (`PreconditionFailed` otherwise).
    pub async fn update_user_if(
        &self,
        agent: &Agent,
        customer_id: Uuid,
        user_id: Uuid,
        input: &UserPatchInput,
        expected: Option<&Expected>,
    ) -> Result<User> {
        let only_sign_in = input.first_name.is_none()
            && input.last_name.is_none()
            && input.display_name.is_none()
            && input.usage_location.is_none()
            && input.roles.is_none();
        if only_sign_in {
            require(agent, &[AgentRole::Admin, AgentRole::Helpdesk])?;
        } else {
            require(agent, &[AgentRole::Admin])?;
        }
        let person = |v: &Option<Option<String>>, f: &str| -> Result<Option<Option<PersonName>>> {
            match v {
                None => Ok(None),
                Some(None) => Ok(Some(None)),
                Some(Some(s)) => PersonName::parse_optional(s).map(Some).map_err(|e| Error::validation(f, e)),
            }
        };
        let patch = UserPatch {
            first_name: person(&input.first_name, "firstName")?,
            last_name: person(&input.last_name, "lastName")?,
            display_name: input
                .display_name
                .as_deref()
                .map(|d| DisplayName::parse(d).map_err(|e| Error::validation("displayName", e)))
                .transpose()?,
            usage_location: match &input.usage_location {
                None => None,
                Some(None) => Some(None),
                Some(Some(c)) if c.trim().is_empty() => Some(None),
                Some(Some(c)) => Some(Some(CountryCode::parse(c).map_err(|e| Error::validation("usageLocation", e))?)),
            },
            roles: input
                .roles
                .as_ref()
                .map(|r| RoleSet::parse_list(r).map_err(|e| Error::validation("roles", e)))
                .transpose()?,
            sign_in_blocked: input.sign_in_blocked,
        };
        self.customer(agent, customer_id).await?;
        if patch.is_empty() {
            // Nothing is written, so reading and comparing is enough.
            let user = self.user(agent, customer_id, user_id).await?;
            if let Some(expected) = expected {
                expected.check(&user)?;
            }
            return Ok(user);
        }
        match expected {
            Some(expected) => {
                self.store.update_user_if(actor(agent), customer_id, user_id, expected, &patch, self.now()).await
            }
            None => self.store.update_user(actor(agent), customer_id, user_id, &patch, self.now()).await,
        }
    }

    /// A new temporary password, shown once. Helpdesk agents may reset only users
    /// who hold no admin role.
    pub async fn reset_password(
        &self,
        agent: &Agent,
        customer_id: Uuid,
        user_id: Uuid,
    ) -> Result<(TemporaryPassword, OffsetDateTime)> {
        require(agent, &[AgentRole::Admin, AgentRole::Helpdesk])?;
        let user = self.user(agent, customer_id, user_id).await?;
        if agent.role == AgentRole::Helpdesk && !user.roles.is_empty() {
            return Err(Error::Forbidden);
        }
        if user.state == UserState::Deleted {
            return Err(Error::UserDeleted);
        }
        let now = self.now();
        let password = TemporaryPassword::generate();
        let expires_at = now + self.policy.temporary_password_ttl;
        self.store
            .set_temporary_password(actor(agent), customer_id, user_id, &password.digest(), expires_at, now)
            .await?;
        Ok((password, expires_at))
    }

    pub async fn delete_user(&self, agent: &Agent, customer_id: Uuid, user_id: Uuid) -> Result<User> {
        self.delete_user_if(agent, customer_id, user_id, None).await
    }

    /// As `delete_user`; with `expected`, only while the user is at one of
    /// those versions.
    pub async fn delete_user_if(
        &self,
        agent: &Agent,
        customer_id: Uuid,
        user_id: Uuid,
        expected: Option<&Expected>,
    ) -> Result<User> {
        require(agent, &[AgentRole::Admin])?;
        self.customer(agent, customer_id).await?;
        let now = self.now();
        let purge_at = now + self.policy.retention;
        match expected {
            Some(expected) => {
                self.store.delete_user_if(actor(agent), customer_id, user_id, expected, purge_at, now).await
            }
            None => self.store.delete_user(actor(agent), customer_id, user_id, purge_at, now).await,
        }
    }

    pub async fn restore_users(
        &self,
        agent: &Agent,
        customer_id: Uuid,
        user_ids: &[Uuid],
    ) -> Result<Vec<RestoreOutcome>> {
        require(agent, &[AgentRole::Admin])?;
        if user_ids.is_empty() || user_ids.len() > MAX_BATCH {
            return Err(Error::validation("userIds", format!("send 1 to {MAX_BATCH} user ids")));
        }
        self.customer(agent, customer_id).await?;
        self.store.restore_users(actor(agent), customer_id, user_ids, self.now()).await
    }

    pub async fn purge_expired(&self) -> Result<u64> {
        self.store.purge_expired(self.now()).await
    }
}
