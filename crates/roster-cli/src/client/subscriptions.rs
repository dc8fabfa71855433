//! `roster subscriptions`: the products a customer owns, and their seats.

use super::{ApiClient, ClientError, Connection, print_rows};
use clap::Subcommand;
use reqwest::Method;
use roster_api::{BuyRequest, QuantityRequest, SeatsRequest, SubscriptionDto};
use uuid::Uuid;

#[derive(Debug, Subcommand)]
pub enum SubscriptionsCommand {
    /// Each product the customer owns, with quantity, assigned and available seats.
    List {
        #[command(flatten)]
        conn: Connection,
        #[arg(long)]
        customer: Uuid,
    },
    /// Buy seats of a product the customer does not own yet.
    Buy {
        #[command(flatten)]
        conn: Connection,
        #[arg(long)]
        customer: Uuid,
        #[arg(long)]
        product: String,
        #[arg(long)]
        quantity: i64,
    },
    /// Buy more seats, or give some back (never below the seats assigned).
    SetQuantity {
        #[command(flatten)]
        conn: Connection,
        #[arg(long)]
        customer: Uuid,
        #[arg(long)]
        subscription: Uuid,
        #[arg(long)]
        quantity: i64,
    },
    /// Buy more seats: adds to the quantity in one atomic step, so purchases
    /// made at the same time all count.
    AddSeats {
        #[command(flatten)]
        conn: Connection,
        #[arg(long)]
        customer: Uuid,
        #[arg(long)]
        subscription: Uuid,
        /// How many seats to add (at least 1).
        #[arg(long)]
        add: i64,
    },
}

fn subscriptions_path(customer: Uuid) -> String {
    format!("/customers/{customer}/subscriptions")
}

impl ApiClient {
    pub async fn subscriptions(&self, customer: Uuid) -> Result<Vec<SubscriptionDto>, ClientError> {
        self.json(self.request(Method::GET, &subscriptions_path(customer))).await
    }

    pub async fn buy_subscription(&self, customer: Uuid, buy: &BuyRequest) -> Result<SubscriptionDto, ClientError> {
        self.json(self.request(Method::POST, &subscriptions_path(customer)).json(buy)).await
    }

    pub async fn set_subscription_quantity(
        &self,
        customer: Uuid,
        subscription: Uuid,
        quantity: i64,
    ) -> Result<SubscriptionDto, ClientError> {
        let path = format!("{}/{subscription}", subscriptions_path(customer));
        self.json(self.request(Method::PATCH, &path).json(&QuantityRequest { quantity })).await
    }

    pub async fn add_seats(
        &self,
        customer: Uuid,
        subscription: Uuid,
        add: i64,
    ) -> Result<SubscriptionDto, ClientError> {
        let path = format!("{}/{subscription}/seats", subscriptions_path(customer));
        self.json(self.request(Method::POST, &path).json(&SeatsRequest { add })).await
    }
}

const SUBSCRIPTION_COLUMNS: [(&str, &str); 6] = [
    ("id", "ID"),
    ("productId", "PRODUCT"),
    ("productName", "NAME"),
    ("quantity", "TOTAL"),
    ("assigned", "ASSIGNED"),
    ("available", "AVAILABLE"),
];

pub async fn run_subscriptions(cmd: SubscriptionsCommand) -> anyhow::Result<()> {
    let (conn, rows) = match cmd {
        SubscriptionsCommand::List { conn, customer } => {
            let list = conn.client().subscriptions(customer).await?;
            (conn, list)
        }
        SubscriptionsCommand::Buy { conn, customer, product, quantity } => {
            let buy = BuyRequest { product_id: product, quantity };
            let s = conn.client().buy_subscription(customer, &buy).await?;
            (conn, vec![s])
        }
        SubscriptionsCommand::SetQuantity { conn, customer, subscription, quantity } => {
            let s = conn.client().set_subscription_quantity(customer, subscription, quantity).await?;
            (conn, vec![s])
        }
        SubscriptionsCommand::AddSeats { conn, customer, subscription, add } => {
            let s = conn.client().add_seats(customer, subscription, add).await?;
            (conn, vec![s])
        }
    };
    print_rows(&conn, &rows, &SUBSCRIPTION_COLUMNS)
}
