-- Active users holding at least one license, per customer, kept in the same
-- transactions as every license change, so license=none and license=any count
-- without reading the users.
ALTER TABLE customers ADD COLUMN licensed_users INTEGER NOT NULL DEFAULT 0 CHECK (licensed_users >= 0);

UPDATE customers SET licensed_users = (
    SELECT COUNT(*) FROM users u
    WHERE u.customer_id = customers.id AND u.state = 'active'
      AND EXISTS (SELECT 1 FROM user_licenses l WHERE l.user_id = u.id)
);
