-- Licensing: the operator's product catalog and the customers' subscriptions.

-- One row per product; `definition` is the product as imported (JSON), so rules
-- added to the file format later need no new columns.
CREATE TABLE products (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    definition TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

-- The seats a customer owns of one product. `assigned` moves only through
-- conditional updates in the same transaction as the assignments, and the checks
-- below make an oversubscribed row impossible to write.
CREATE TABLE subscriptions (
    id BLOB PRIMARY KEY,
    customer_id BLOB NOT NULL,
    partner_id BLOB NOT NULL,
    product_id TEXT NOT NULL REFERENCES products (id),
    quantity INTEGER NOT NULL CHECK (quantity >= 0),
    assigned INTEGER NOT NULL DEFAULT 0 CHECK (assigned >= 0),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    CHECK (assigned <= quantity),
    UNIQUE (customer_id, product_id),
    FOREIGN KEY (customer_id, partner_id) REFERENCES customers (id, partner_id)
);
