"""The demo dataset of the portal, generated deterministically from a seed (`manage.py seed_demo`).

Modules, by what they make:
- `vocabulary`, `catalog_hardware`, `catalog_supplies`: the category tree and the words products
  are made of; `names`: products from those words (no database);
- `geography`, `people`, `requisites`: regions, people and company names, checksum-valid requisites;
- `reference`: currencies, units, properties, price types, regions, warehouses, categories;
- `products`, `offers`: products with units and facets; prices, stock, regional assortments;
- `users`, `clients`, `finance`, `orders`: staff and client users, clients with legal entities,
  contracts, balances and individual prices, the order history;
- `money`: kopecks to Decimal roubles, price rounding; `writer`: bulk loading (COPY on PostgreSQL);
- `seed`: the entry point, `seed_demo()`.
"""
