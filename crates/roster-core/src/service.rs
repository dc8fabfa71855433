//! Use cases. Each takes the acting agent, checks the agent's role and partner,
//! parses raw input into domain types, and calls the store once per unit of work.

use crate::clock::Clock;
use crate::domain::*;
use crate::error::{Error, Result};
use crate::licensing;
use crate::model::*;
use crate::paging::*;
use crate::secrets::{self, ApiToken, TemporaryPassword};
use crate::store::*;
use std::sync::Arc;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

/// Tunable rules, from the configuration.
#[derive(Debug, Clone)]
pub struct Policy {
    /// How long a deleted user can be restored.
    pub retention: Duration,
    pub temporary_password_ttl: Duration,
    pub chosen_password_ttl: Duration,
    /// Failed customer-user sign-ins allowed per username within `signin_window`.
    pub signin_max_failures: i64,
    pub signin_window: Duration,
    pub change_password_session_ttl: Duration,
    pub signed_in_session_ttl: Duration,
    /// Seals the temporary passwords an import keeps until they are delivered.
    pub credentials_key: secrets::CredentialsKey,
    /// How long an import's temporary passwords are kept, delivered or not.
    pub import_credentials_ttl: Duration,
    /// How long a worker holds an import job without a word before another may take it.
    pub import_lease: Duration,
    /// Rows an import's worker reads and prepares at a time.
    pub import_batch: usize,
    /// Most rows one transaction of an import writes, in consecutive batches. It
    /// bounds how long other writers wait behind an import.
    pub import_transaction_rows: usize,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            retention: Duration::days(30),
            temporary_password_ttl: Duration::days(14),
            chosen_password_ttl: Duration::days(365),
            signin_max_failures: 5,
            signin_window: Duration::minutes(15),
            change_password_session_ttl: Duration::minutes(15),
            signed_in_session_ttl: Duration::hours(8),
            credentials_key: secrets::CredentialsKey::generate(),
            import_credentials_ttl: Duration::hours(1),
            import_lease: Duration::seconds(30),
            import_batch: 2000,
            import_transaction_rows: 10_000,
        }
    }
}

pub const MAX_BATCH: usize = 1000;

#[derive(Debug, Clone)]
pub struct Services {
    pub store: Arc<dyn Store>,
    pub clock: Arc<dyn Clock>,
    pub policy: Policy,
    /// Single creates that share a transaction; see `group_commit`.
    create_groups: Arc<crate::group_commit::CreateGroups>,
    /// Told when this instance queues an import, so its worker starts at once
    /// instead of at its next poll.
    pub(crate) import_queued: Arc<tokio::sync::Notify>,
}

// The inputs below hold text as it arrived, from the HTTP API's wire types
// (`roster_api`) or from the console's forms; the services parse them into domain
// types.

/// A user to create, as it arrived.
#[derive(Debug, Clone, Default)]
pub struct NewUserInput {
    pub user_name: String,
    pub domain: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub display_name: String,
    pub usage_location: Option<String>,
    pub roles: Vec<String>,
    pub licenses: Vec<LicenseInput>,
}

#[derive(Debug, Clone, Default)]
pub struct LicenseInput {
    pub product_id: String,
    pub disabled_service_plans: Vec<String>,
}

/// A license update of API.md, as it arrived.
#[derive(Debug, Clone, Default)]
pub struct LicenseUpdateInput {
    pub user_ids: Vec<Uuid>,
    pub assign: Vec<LicenseInput>,
    pub remove: Vec<String>,
    /// `partial` (the default) or `atomic`.
    pub mode: Option<String>,
    pub dry_run: bool,
}

/// The most users one license update takes.
pub const MAX_LICENSE_UPDATE_USERS: usize = 100_000;

/// A user change, as it arrived: `None` leaves a field alone, and `Some(None)`
/// clears it.
#[derive(Debug, Clone, Default)]
pub struct UserPatchInput {
    pub first_name: Option<Option<String>>,
    pub last_name: Option<Option<String>>,
    pub display_name: Option<String>,
    pub usage_location: Option<Option<String>>,
    pub roles: Option<Vec<String>>,
    pub sign_in_blocked: Option<bool>,
}

/// The list parameters of API.md, as they arrived.
#[derive(Debug, Clone, Default)]
pub struct UserListParams {
    pub state: Option<String>,
    pub search: Option<String>,
    pub license: Option<String>,
    pub role: Option<String>,
    pub usage_location: Option<String>,
    pub sign_in: Option<String>,
    pub sort: Option<String>,
    pub limit: Option<u32>,
    pub cursor: Option<String>,
}

impl UserListParams {
    pub fn parse(&self) -> Result<UserQuery> {
        let state = match self.state.as_deref() {
            None | Some("active") => UserState::Active,
            Some("deleted") => UserState::Deleted,
            Some(_) => return Err(Error::validation("state", "use active or deleted")),
        };
        let search = self
            .search
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| {
                if s.chars().count() > 256 {
                    Err(Error::validation("search", "must be at most 256 characters"))
                } else if s.chars().any(char::is_control) {
                    Err(Error::validation("search", "must not contain control characters"))
                } else {
                    Ok(s.to_lowercase())
                }
            })
            .transpose()?;
        let license = match self.license.as_deref() {
            None | Some("") => None,
            Some("none") => Some(LicenseFilter::None),
            Some("any") => Some(LicenseFilter::Any),
            Some(p) => Some(LicenseFilter::Product(ProductId::parse(p).map_err(|e| Error::validation("license", e))?)),
        };
        let role = match self.role.as_deref() {
            None | Some("") => None,
            Some("any") => Some(RoleFilter::Any),
            Some(r) => Some(RoleFilter::Role(UserRole::parse(r).map_err(|e| Error::validation("role", e))?)),
        };
        let usage_location = match self.usage_location.as_deref() {
            None | Some("") => None,
            Some(c) => Some(CountryCode::parse(c).map_err(|e| Error::validation("usageLocation", e))?),
        };
        let sign_in_blocked = match self.sign_in.as_deref() {
            None | Some("") => None,
            Some("allowed") => Some(false),
            Some("blocked") => Some(true),
            Some(_) => return Err(Error::validation("signIn", "use allowed or blocked")),
        };
        let sort = match self.sort.as_deref() {
            None | Some("") => UserSort::default(),
            Some(s) => UserSort::parse(s)?,
        };
        let page = PageRequest::parse(self.limit, self.cursor.as_deref(), &sort.as_str())?;
        Ok(UserQuery {
            filter: UserFilter { state, search, license, role, usage_location, sign_in_blocked },
            sort,
            page,
        })
    }
}

/// A created user and the password to show once.
#[derive(Debug)]
pub struct CreatedUser {
    pub user: User,
    pub temporary_password: TemporaryPassword,
}

/// Where a customer user's sign-in leads.
#[derive(Debug)]
pub enum SigninOutcome {
    /// The password is temporary or expired: the session may only change it.
    MustChangePassword {
        session_token: String,
    },
    SignedIn {
        session_token: String,
    },
    InvalidCredentials,
    Blocked,
    RateLimited,
}

pub(crate) fn require(agent: &Agent, allowed: &[AgentRole]) -> Result<()> {
    if allowed.contains(&agent.role) { Ok(()) } else { Err(Error::Forbidden) }
}

/// Judges the licenses a new user asks for by the catalog's rules; seats are the
/// store's to count, under its lock.
pub(crate) fn check_new_user_licenses(
    catalog: &crate::catalog::Catalog,
    owned: &std::collections::BTreeSet<ProductId>,
    user: NewUser,
) -> Result<NewUser> {
    licensing::check_new_user_licenses(catalog, owned, &user.licenses, user.usage_location)?;
    Ok(user)
}

pub(crate) fn actor(agent: &Agent) -> Actor {
    Actor { partner_id: agent.partner_id, agent_id: Some(agent.id) }
}

impl Services {
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>, policy: Policy) -> Self {
        Self { store, clock, policy, create_groups: Default::default(), import_queued: Default::default() }
    }

    pub fn now(&self) -> OffsetDateTime {
        self.clock.now()
    }

    // ---- operator commands (CLI) ----

    pub async fn create_partner(&self, name: &str) -> Result<Partner> {
        let name = OrganisationName::parse(name).map_err(|e| Error::validation("name", e))?;
        self.store.create_partner(Uuid::now_v7(), name.as_ref(), self.now()).await
    }

    /// Creates an agent with a one-time password, returned for printing once.
    pub async fn create_agent(&self, partner_id: Uuid, email: &str, role: &str) -> Result<(Agent, TemporaryPassword)> {
        let email = AgentEmail::parse(email).map_err(|e| Error::validation("email", e))?;
        let role = AgentRole::parse(role).map_err(|e| Error::validation("role", e))?;
        if self.store.get_partner(partner_id).await?.is_none() {
            return Err(Error::NotFound);
        }
        let password = TemporaryPassword::generate();
        let password_hash = hash(password.expose())?;
        let agent = NewAgent { id: Uuid::now_v7(), partner_id, email, role, password_hash };
        Ok((self.store.create_agent(&agent, self.now()).await?, password))
    }

    /// Gives an existing agent a new one-time password.
    pub async fn reset_agent_password(&self, agent_id: Uuid) -> Result<TemporaryPassword> {
        let password = TemporaryPassword::generate();
        self.store.set_agent_password(agent_id, &hash(password.expose())?, self.now()).await?;
        Ok(password)
    }

    pub async fn create_token(&self, agent_email: &str) -> Result<(Agent, ApiToken)> {
        let email = AgentEmail::parse(agent_email).map_err(|e| Error::validation("agent", e))?;
        let (agent, _) = self.store.find_agent_by_email(email.as_ref()).await?.ok_or(Error::NotFound)?;
        let token = ApiToken::generate();
        self.store.create_api_token(agent.id, &token.hash(), self.now()).await?;
        Ok((agent, token))
    }

    pub async fn authenticate_token(&self, presented: &str) -> Result<Option<Agent>> {
        match ApiToken::parse(presented) {
            Some(token) => self.store.agent_by_token(&token.hash()).await,
            None => Ok(None),
        }
    }

    // ---- catalog and subscriptions ----

    /// Imports a catalog file: all of it or, when anything is wrong, none of it.
    pub async fn import_catalog(&self, file: &[u8]) -> Result<Vec<crate::catalog::Product>> {
        let existing = self.store.catalog().await?;
        let products =
            crate::catalog::parse_catalog_file(file, &existing).map_err(|e| Error::validation("catalog", e))?;
        self.store.upsert_products(&products, self.now()).await?;
        Ok(products)
    }

    pub async fn catalog(&self) -> Result<crate::catalog::Catalog> {
        self.store.catalog().await
    }

    pub async fn subscriptions(&self, agent: &Agent, customer_id: Uuid) -> Result<Vec<Subscription>> {
        self.customer(agent, customer_id).await?;
        self.store.list_subscriptions(agent.partner_id, customer_id).await
    }

    /// Buys seats of a product the customer has no subscription for yet.
    pub async fn buy_subscription(
        &self,
        agent: &Agent,
        customer_id: Uuid,
        product_id: &str,
        quantity: i64,
    ) -> Result<Subscription> {
        require(agent, &[AgentRole::Admin, AgentRole::Sales])?;
        let product_id = ProductId::parse(product_id).map_err(|e| Error::validation("productId", e))?;
        let quantity = seat_count(quantity, 1)?;
        self.customer(agent, customer_id).await?;
        if self.store.catalog().await?.get(&product_id).is_none() {
            return Err(Error::validation("productId", format!("{} is not in the catalog", product_id.as_ref())));
        }
        self.store.create_subscription(actor(agent), customer_id, product_id.as_ref(), quantity, self.now()).await
    }

    /// Buys more seats, or gives some back; never below the seats assigned.
    pub async fn set_subscription_quantity(
        &self,
        agent: &Agent,
        customer_id: Uuid,
        subscription_id: Uuid,
        quantity: i64,
    ) -> Result<Subscription> {
        require(agent, &[AgentRole::Admin, AgentRole::Sales])?;
        let quantity = seat_count(quantity, 0)?;
        self.customer(agent, customer_id).await?;
        self.store.set_subscription_quantity(actor(agent), customer_id, subscription_id, quantity, self.now()).await
    }

    /// Assigns and removes licenses for many users at once, with a result for each.
    pub async fn update_licenses(
        &self,
        agent: &Agent,
        customer_id: Uuid,
        input: &LicenseUpdateInput,
    ) -> Result<LicenseUpdateOutcome> {
        require(agent, &[AgentRole::Admin])?;
        if input.user_ids.is_empty() || input.user_ids.len() > MAX_LICENSE_UPDATE_USERS {
            return Err(Error::validation("userIds", format!("send 1 to {MAX_LICENSE_UPDATE_USERS} user ids")));
        }
        let mut seen = std::collections::HashSet::with_capacity(input.user_ids.len());
        if let Some(dup) = input.user_ids.iter().find(|id| !seen.insert(**id)) {
            return Err(Error::validation("userIds", format!("{dup} appears twice")));
        }
        let atomicity = match input.mode.as_deref() {
            None | Some("partial") => licensing::Atomicity::PerUser,
            Some("atomic") => licensing::Atomicity::AllOrNothing,
            Some(_) => return Err(Error::validation("mode", "use partial or atomic")),
        };
        let mode = if input.dry_run {
            licensing::UpdateMode::DryRun(atomicity)
        } else {
            licensing::UpdateMode::Apply(atomicity)
        };
        let mut change = crate::licensing::LicenseChange::default();
        for (i, l) in input.assign.iter().enumerate() {
            let p =
                ProductId::parse(&l.product_id).map_err(|e| Error::validation(format!("assign[{i}].productId"), e))?;
            change.assign.insert(p, l.disabled_service_plans.iter().cloned().collect());
        }
        for (i, r) in input.remove.iter().enumerate() {
            let p = ProductId::parse(r).map_err(|e| Error::validation(format!("remove[{i}]"), e))?;
            if change.assign.contains_key(&p) {
                return Err(Error::validation("remove", format!("{} is both assigned and removed", p.as_ref())));
            }
            change.remove.insert(p);
        }
        if change.assign.is_empty() && change.remove.is_empty() {
            return Err(Error::validation("assign", "assign or remove at least one product"));
        }
        self.customer(agent, customer_id).await?;
        let catalog = self.store.catalog().await?;
        let update = licensing::LicenseUpdate { user_ids: input.user_ids.clone(), change, mode };
        self.store.update_licenses(actor(agent), customer_id, &catalog, &update, self.now()).await
    }

    // ---- customers ----

    pub async fn create_customer(
        &self,
        agent: &Agent,
        company_name: &str,
        domains: &[String],
        country: &str,
    ) -> Result<Customer> {
        require(agent, &[AgentRole::Admin, AgentRole::Sales])?;
        let company_name = OrganisationName::parse(company_name).map_err(|e| Error::validation("companyName", e))?;
        if domains.is_empty() {
            return Err(Error::validation("domains", "at least one domain is required"));
        }
        if domains.len() > 50 {
            return Err(Error::validation("domains", "at most 50 domains"));
        }
        let mut parsed = Vec::with_capacity(domains.len());
        for (i, d) in domains.iter().enumerate() {
            let d = DomainName::parse(d).map_err(|e| Error::validation(format!("domains[{i}]"), e))?;
            if !parsed.contains(&d) {
                parsed.push(d);
            }
        }
        let country = CountryCode::parse(country).map_err(|e| Error::validation("country", e))?;
        let customer = NewCustomer { id: Uuid::now_v7(), company_name, domains: parsed, country };
        self.store.create_customer(actor(agent), &customer, self.now()).await
    }

    /// The products the customer holds a subscription for.
    pub(crate) async fn owned_products(
        &self,
        partner_id: Uuid,
        customer_id: Uuid,
    ) -> Result<std::collections::BTreeSet<ProductId>> {
        let subscriptions = self.store.list_subscriptions(partner_id, customer_id).await?;
        Ok(subscriptions.iter().filter_map(|s| ProductId::parse(&s.product_id).ok()).collect())
    }

    pub async fn customer(&self, agent: &Agent, customer_id: Uuid) -> Result<Customer> {
        self.store.get_customer(agent.partner_id, customer_id).await?.ok_or(Error::NotFound)
    }

    pub async fn list_customers(
        &self,
        agent: &Agent,
        search: Option<&str>,
        limit: Option<u32>,
        cursor: Option<&str>,
    ) -> Result<Page<Customer>> {
        let page = PageRequest::parse(limit, cursor, "companyName")?;
        let search = search.map(str::trim).filter(|s| !s.is_empty()).map(str::to_lowercase);
        self.store.list_customers(agent.partner_id, search.as_deref(), &page).await
    }

    // ---- users ----

    /// Parses one user against the customer; `field_prefix` names it in errors.
    pub fn parse_new_user(&self, customer: &Customer, input: &NewUserInput, field_prefix: &str) -> Result<NewUser> {
        let field = |name: &str| format!("{field_prefix}{name}");
        let (name_part, domain_part) = match input.user_name.trim().rsplit_once('@') {
            Some((name, domain)) => {
                if let Some(d) = input.domain.as_deref().filter(|d| !d.trim().is_empty())
                    && !d.trim().eq_ignore_ascii_case(domain)
                {
                    return Err(Error::validation(field("domain"), "differs from the domain in userName"));
                }
                (name, domain.to_owned())
            }
            None => match input.domain.as_deref().filter(|d| !d.trim().is_empty()) {
                Some(d) => (input.user_name.trim(), d.to_owned()),
                None => return Err(Error::validation(field("domain"), "is required unless userName is name@domain")),
            },
        };
        let name = UserName::parse(name_part)
            .map_err(|e| Error::InvalidUsername { field: field("userName"), message: e.to_string() })?;
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
                return Err(Error::validation(at, format!("{} is listed twice", product_id.as_ref())));
            }
            licenses.push(LicenseRequest { product_id, disabled_service_plans: l.disabled_service_plans.clone() });
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
            return self.user(agent, customer_id, user_id).await;
        }
        self.store.update_user(actor(agent), customer_id, user_id, &patch, self.now()).await
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
        require(agent, &[AgentRole::Admin])?;
        self.customer(agent, customer_id).await?;
        let now = self.now();
        self.store.delete_user(actor(agent), customer_id, user_id, now + self.policy.retention, now).await
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

    pub async fn audit_events(
        &self,
        agent: &Agent,
        customer_id: Uuid,
        limit: Option<u32>,
        cursor: Option<&str>,
    ) -> Result<Page<AuditEvent>> {
        self.customer(agent, customer_id).await?;
        let page = PageRequest::parse(limit, cursor, "-at")?;
        self.store.list_audit_events(agent.partner_id, customer_id, &page).await
    }

    // ---- customer users' sign-in ----

    pub async fn signin(&self, user_principal_name: &str, password: &str) -> Result<SigninOutcome> {
        let now = self.now();
        let key = user_principal_name.trim().to_lowercase();
        if key.is_empty() || key.len() > 400 || password.len() > 1024 {
            return Ok(SigninOutcome::InvalidCredentials);
        }
        let failures = self.store.count_signin_failures(&key, now - self.policy.signin_window).await?;
        if failures >= self.policy.signin_max_failures {
            return Ok(SigninOutcome::RateLimited);
        }
        let user = self.store.find_signin_user(&key).await?;
        let digest = user.as_ref().and_then(|u| u.password_digest.clone());
        let verified = match &digest {
            Some(d) => secrets::verify_password(password, d),
            None => false,
        };
        let Some(user) = user.filter(|_| verified) else {
            self.store.record_signin_failure(&key, now).await?;
            return Ok(SigninOutcome::InvalidCredentials);
        };
        if user.state == UserState::Deleted || user.sign_in_blocked {
            return Ok(SigninOutcome::Blocked);
        }
        let digest = digest.unwrap_or_default();
        let expired = user.password_expires_at.is_some_and(|at| at <= now);
        if secrets::is_temporary_digest(&digest) {
            if expired || !self.store.consume_temporary_password(user.id, &digest, now).await? {
                self.store.record_signin_failure(&key, now).await?;
                return Ok(SigninOutcome::InvalidCredentials);
            }
            return self.open_session(user.id, SessionPurpose::ChangePassword, now).await;
        }
        if expired {
            return self.open_session(user.id, SessionPurpose::ChangePassword, now).await;
        }
        self.open_session(user.id, SessionPurpose::SignedIn, now).await
    }

    fn new_session(&self, user_id: Uuid, purpose: SessionPurpose, now: OffsetDateTime) -> (String, UserSession) {
        let token = secrets::random_base62(43);
        let ttl = match purpose {
            SessionPurpose::ChangePassword => self.policy.change_password_session_ttl,
            SessionPurpose::SignedIn => self.policy.signed_in_session_ttl,
        };
        let session = UserSession {
            token_hash: secrets::sha256_hex(&token),
            user_id,
            purpose,
            csrf_token: secrets::random_base62(32),
            expires_at: now + ttl,
        };
        (token, session)
    }

    async fn open_session(&self, user_id: Uuid, purpose: SessionPurpose, now: OffsetDateTime) -> Result<SigninOutcome> {
        let (session_token, session) = self.new_session(user_id, purpose, now);
        self.store.create_user_session(&session, now).await?;
        Ok(match purpose {
            SessionPurpose::ChangePassword => SigninOutcome::MustChangePassword { session_token },
            SessionPurpose::SignedIn => SigninOutcome::SignedIn { session_token },
        })
    }

    pub async fn user_session(&self, session_token: &str) -> Result<Option<UserSession>> {
        self.store.find_user_session(&secrets::sha256_hex(session_token), self.now()).await
    }

    pub async fn signout(&self, session_token: &str) -> Result<()> {
        self.store.delete_user_session(&secrets::sha256_hex(session_token)).await
    }

    /// Sets the password a user chose, from a change-password session; returns the
    /// token of the signed-in session that replaces it.
    pub async fn change_password(&self, session_token: &str, new_password: &str, confirmation: &str) -> Result<String> {
        let now = self.now();
        let session = self.user_session(session_token).await?.ok_or(Error::NotFound)?;
        if session.purpose != SessionPurpose::ChangePassword {
            return Err(Error::Forbidden);
        }
        if new_password != confirmation {
            return Err(Error::validation("confirmation", "does not match the new password"));
        }
        secrets::check_chosen_password(new_password).map_err(|m| Error::validation("password", m))?;
        let hash = hash(new_password)?;
        let (token, signed_in) = self.new_session(session.user_id, SessionPurpose::SignedIn, now);
        self.store
            .complete_password_change(
                &session.token_hash,
                session.user_id,
                &hash,
                now + self.policy.chosen_password_ttl,
                &signed_in,
                now,
            )
            .await?;
        Ok(token)
    }
}

/// The most seats one subscription can hold.
pub const MAX_SEATS: i64 = 10_000_000;

fn seat_count(quantity: i64, min: i64) -> Result<i64> {
    if (min..=MAX_SEATS).contains(&quantity) {
        Ok(quantity)
    } else {
        Err(Error::validation("quantity", format!("must be between {min} and {MAX_SEATS}")))
    }
}

fn hash(password: &str) -> Result<String> {
    secrets::hash_password(password).map_err(Error::internal)
}
