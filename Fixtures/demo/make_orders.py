#!/usr/bin/env python3
"""Writes Fixtures/demo/orders.csv: 5,000 deterministic, realistic-looking orders.

Mixed types on purpose: ids, ZIP codes with leading zeros (must stay text),
prices, quantities, dates, timestamps with offsets, booleans, categories,
free text with commas, quotes, newlines and non-ASCII, and empty fields.
Run again to regenerate the identical file (seeded).
"""
import random
import datetime

random.seed(20261121)
cities = ["Paris", "Lyon", "Zürich", "São Paulo", "New York", "Kraków", "Osaka", "Nairobi", "Windhoek", "Austin"]
countries = {"Paris": "FR", "Lyon": "FR", "Zürich": "CH", "São Paulo": "BR", "New York": "US", "Kraków": "PL",
             "Osaka": "JP", "Nairobi": "KE", "Windhoek": "NA", "Austin": "US"}
products = ["espresso machine", "grinder", "kettle", "filter papers", "scale", "tamper", "milk jug", "beans 1kg"]
notes = ["", "", "", "gift wrap", "leave at door, ring twice", 'customer said "urgent"', "fragile\nhandle with care",
         "livraison rapide", "配達時間: 午前"]

start = datetime.datetime(2025, 1, 1, 8, 0, 0)
with open("Fixtures/demo/orders.csv", "w", newline="", encoding="utf-8") as f:
    f.write("order_id,ordered_at,ship_date,customer_zip,city,country,product,quantity,unit_price,discount,paid,note\n")
    for i in range(5000):
        city = random.choice(cities)
        ordered = start + datetime.timedelta(minutes=137 * i + random.randint(0, 90))
        ship = (ordered + datetime.timedelta(days=random.randint(0, 6))).date()
        zipcode = f"{random.randint(0, 99999):05d}"
        qty = random.choice([1, 1, 1, 2, 2, 3, 5, 10])
        price = round(random.uniform(3, 900), 2)
        discount = "" if random.random() < 0.7 else f"{random.choice([0.05, 0.1, 0.15, 0.2])}"
        paid = "true" if random.random() < 0.93 else "false"
        note = random.choice(notes)
        if any(c in note for c in ',"\n'):
            note = '"' + note.replace('"', '""') + '"'
        offset = "+01:00" if countries[city] in ("FR", "CH", "PL") else "Z"
        f.write(f"{100000 + i},{ordered.isoformat()}{offset},{ship.isoformat()},{zipcode},{city},{countries[city]},"
                f"{random.choice(products)},{qty},{price:.2f},{discount},{paid},{note}\n")
