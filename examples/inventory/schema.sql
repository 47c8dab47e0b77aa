-- examples/inventory/schema.sql - the e-commerce model of the book's
-- chapter 11: products with JSONB attributes (and an expression index on one
-- attribute), inventory that is decremented atomically, reservations that
-- record every unit taken, and orders whose items snapshot the product name
-- and price at order time.

CREATE TABLE products (
    product_id bigint PRIMARY KEY,
    name       text NOT NULL,
    category   text NOT NULL,
    base_price numeric(10,2) NOT NULL,
    attributes jsonb NOT NULL DEFAULT '{}'::jsonb
);

-- "Find laptops with 16GB RAM" without scanning every product.
CREATE INDEX idx_products_ram ON products ((attributes->>'ram'));

-- Deliberately no CHECK (quantity >= 0): the guard against overselling is the
-- atomic UPDATE ... WHERE quantity >= n, and the checker verifies it held.
CREATE TABLE inventory (
    product_id bigint PRIMARY KEY REFERENCES products,
    quantity   integer NOT NULL
);

-- Every delivery of stock, so "stock decrease" is received minus on hand.
CREATE TABLE stock_receipts (
    receipt_id  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    product_id  bigint NOT NULL REFERENCES products,
    quantity    integer NOT NULL CHECK (quantity > 0),
    received_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE reservations (
    reservation_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    product_id     bigint NOT NULL REFERENCES products,
    quantity       integer NOT NULL CHECK (quantity > 0),
    client         text NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE orders (
    order_id     bigint PRIMARY KEY,
    customer_id  bigint NOT NULL,
    status       text NOT NULL,
    total_amount numeric(12,2) NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz
);

CREATE TABLE order_items (
    order_item_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    order_id      bigint NOT NULL REFERENCES orders,
    product_id    bigint NOT NULL REFERENCES products,
    product_name  text NOT NULL,           -- snapshot at order time
    unit_price    numeric(10,2) NOT NULL,  -- snapshot at order time
    quantity      integer NOT NULL,
    line_total    numeric(12,2) NOT NULL
);

-- A few hand-written products of different kinds ...
INSERT INTO products (product_id, name, category, base_price, attributes) VALUES
    (1, 'Ultrabook 13', 'laptop', 1199.00, '{"ram": "16GB", "storage": "512GB", "screen_size": 13.3, "processor": "i7"}'),
    (2, 'Workstation 17', 'laptop', 2899.00, '{"ram": "64GB", "storage": "2TB", "screen_size": 17.3, "processor": "i9"}'),
    (3, 'Chromebook 11', 'laptop', 299.00, '{"ram": "4GB", "storage": "64GB", "screen_size": 11.6}'),
    (4, 'Oxford shirt', 'shirt', 49.90, '{"size": "M", "color": "blue", "material": "cotton"}'),
    (5, 'Linen shirt', 'shirt', 59.90, '{"size": "L", "color": "white", "material": "linen"}'),
    (6, 'Designing Data-Intensive Applications', 'book', 45.50, '{"author": "Martin Kleppmann", "isbn": "9781449373320", "page_count": 616}'),
    (7, 'Gaming Laptop 15', 'laptop', 1799.00, '{"ram": "32GB", "storage": "1TB", "screen_size": 15.6, "processor": "r9"}');

INSERT INTO stock_receipts (product_id, quantity)
SELECT product_id, 10 FROM products;

INSERT INTO inventory (product_id, quantity)
SELECT product_id, sum(quantity) FROM stock_receipts GROUP BY product_id;
