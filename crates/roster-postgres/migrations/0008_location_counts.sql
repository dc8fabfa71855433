-- Active users per customer and usage location, kept in the same transactions as
-- every change of a user's state or location, so usageLocation= counts without
-- reading a million users' index entries.
CREATE TABLE customer_locations (
    customer_id UUID NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    usage_location TEXT NOT NULL,
    active_users BIGINT NOT NULL CHECK (active_users >= 0),
    PRIMARY KEY (customer_id, usage_location)
);

INSERT INTO customer_locations (customer_id, usage_location, active_users)
SELECT customer_id, usage_location, COUNT(*) FROM users
WHERE state = 'active' AND usage_location IS NOT NULL
GROUP BY customer_id, usage_location;
