//! The demo partner: three customers, one with enough users to page through.
//! Running the demo again keeps the data and issues a fresh password and token.

use roster_core::Services;
use roster_core::model::Agent;
use roster_core::services::NewUserInput;
use uuid::Uuid;

pub const ADMIN_EMAIL: &str = "admin@demo.roster.example";

pub struct Demo {
    pub password: String,
    pub api_token: String,
}

const FIRST: [&str; 24] = [
    "Alex", "Zoë", "Jonas", "Amélie", "Ivan", "Mei", "Giulia", "Noah", "Fatima", "Lars", "Chloé", "Olga", "Wei",
    "Marco", "Priya", "Liam", "Sofia", "Kenji", "Ana", "Mateo", "Emma", "Yusuf", "Nina", "Pierre",
];
const LAST: [&str; 25] = [
    "Müller",
    "Dubois",
    "Rossi",
    "Ivanova",
    "Chen",
    "Smith",
    "García",
    "Kowalski",
    "Nakamura",
    "Larsen",
    "Bianchi",
    "Petrov",
    "Wang",
    "Silva",
    "Novak",
    "Kaya",
    "Moreau",
    "Ricci",
    "Jansen",
    "Okafor",
    "Haddad",
    "Lindqvist",
    "Costa",
    "Fischer",
    "Zhang",
];
const LOCATIONS: [&str; 6] = ["US", "FR", "IT", "DE", "GB", "CN"];

fn ascii(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            'ë' | 'é' => 'e',
            'ü' => 'u',
            'í' => 'i',
            c => c,
        })
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_lowercase()
}

fn demo_users(domain: &str, count: usize, country: &str) -> Vec<NewUserInput> {
    (0..count)
        .map(|i| {
            let first = FIRST[i % FIRST.len()];
            let last = LAST[(i / FIRST.len()) % LAST.len()];
            let n = i / (FIRST.len() * LAST.len());
            let user_name = if n == 0 {
                format!("{}.{}", ascii(first), ascii(last))
            } else {
                format!("{}.{}{n}", ascii(first), ascii(last))
            };
            let roles = match i % 97 {
                0 => vec!["global-admin".to_owned()],
                13 => vec!["user-admin".to_owned(), "helpdesk-admin".to_owned()],
                29 => vec!["billing-admin".to_owned()],
                _ => vec![],
            };
            NewUserInput {
                user_name,
                domain: Some(domain.to_owned()),
                first_name: Some(first.to_owned()),
                last_name: Some(last.to_owned()),
                display_name: format!("{first} {last}"),
                usage_location: (i % 11 != 5)
                    .then(|| if i % 3 == 0 { LOCATIONS[i % LOCATIONS.len()] } else { country }.to_owned()),
                roles,
                licenses: vec![],
            }
        })
        .collect()
}

pub async fn seed(services: &Services) -> anyhow::Result<Demo> {
    if let Some((agent, _)) = services.store.find_agent_by_email(ADMIN_EMAIL).await? {
        let password = services.reset_agent_password(agent.id).await?;
        let (_, token) = services.create_token(ADMIN_EMAIL).await?;
        return Ok(Demo { password: password.expose().to_owned(), api_token: token.expose().to_owned() });
    }
    let done = crate::init(services, "Demo Partner", ADMIN_EMAIL).await?;
    // Products that exercise every rule: exclusion, requirements, availableIn and
    // unavailableIn, and service plans.
    services.import_catalog(include_bytes!("demo_catalog.json")).await?;
    let (agent, _) =
        services.store.find_agent_by_email(ADMIN_EMAIL).await?.ok_or_else(|| anyhow::anyhow!("demo admin vanished"))?;
    let customers = [
        (
            "Contoso Ltd",
            vec!["contoso.example", "contoso-sales.example"],
            "US",
            1_200,
            vec![
                ("MAIL_P1", 1_100),
                ("MAIL_P2", 50),
                ("ARCHIVE_ADDON", 100),
                ("OFFICE_APPS", 1_200),
                ("PHONE_EU", 25),
                ("VISIO", 5),
            ],
        ),
        (
            "Fabrikam SARL",
            vec!["fabrikam.example"],
            "FR",
            40,
            vec![("MAIL_P1", 40), ("OFFICE_APPS", 40), ("PHONE_EU", 10)],
        ),
        ("Northwind Srl", vec!["northwind.example"], "IT", 15, vec![("OFFICE_APPS", 15)]),
    ];
    for (name, domains, country, users, seats) in customers {
        let domains: Vec<String> = domains.into_iter().map(str::to_owned).collect();
        let customer = services.create_customer(&agent, name, &domains, country).await?;
        for (product, quantity) in seats {
            services.buy_subscription(&agent, customer.id, product, quantity).await?;
        }
        seed_users(services, &agent, customer.id, &domains[0], users, country).await?;
    }
    Ok(Demo { password: done.password, api_token: done.api_token })
}

async fn seed_users(
    services: &Services,
    agent: &Agent,
    customer_id: Uuid,
    domain: &str,
    count: usize,
    country: &str,
) -> anyhow::Result<()> {
    let users = demo_users(domain, count, country);
    let mut created = Vec::new();
    for chunk in users.chunks(500) {
        // The demo users' temporary passwords are never shown: they are dropped here.
        for result in services.create_users(agent, customer_id, chunk).await? {
            created.push(result?.user);
        }
    }
    for (i, user) in created.iter().enumerate() {
        if i % 53 == 7 {
            let patch = roster_core::services::UserPatchInput { sign_in_blocked: Some(true), ..Default::default() };
            services.update_user(agent, customer_id, user.id, &patch).await?;
        }
        if i % 71 == 11 {
            services.delete_user(agent, customer_id, user.id).await?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_demo_catalog_is_valid() {
        let parsed = roster_core::catalog::parse_catalog_file(
            include_bytes!("demo_catalog.json"),
            &roster_core::catalog::Catalog::default(),
        );
        assert_eq!(parsed.map(|p| p.len()).ok(), Some(6));
    }
}
