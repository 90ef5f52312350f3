\set s random(1, 1000000000)
INSERT INTO results SELECT 'agent-' || ((:s + n) % 3000), :s::bigint * 1000 + n, 'check-' || (n % 10), now(), true, 3, NULL FROM generate_series(1, 1000) n;
