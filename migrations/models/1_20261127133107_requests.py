from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        CREATE TABLE IF NOT EXISTS "resource_lock" (
    "key" VARCHAR(80) NOT NULL PRIMARY KEY,
    "version" INT NOT NULL
);
COMMENT ON TABLE "resource_lock" IS 'One row per resource; updating it first serialises bookings of that resource.';
        CREATE TABLE IF NOT EXISTS "request" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "type" VARCHAR(32) NOT NULL,
    "status" VARCHAR(16) NOT NULL,
    "department_id_at" INT NOT NULL,
    "start" TIMESTAMPTZ,
    "end" TIMESTAMPTZ,
    "details" JSONB NOT NULL,
    "series" VARCHAR(32),
    "rating" SMALLINT,
    "created_at" TIMESTAMPTZ NOT NULL,
    "updated_at" TIMESTAMPTZ NOT NULL,
    "applicant_id" INT NOT NULL REFERENCES "user" ("id") ON DELETE RESTRICT,
    "assignee_id" INT REFERENCES "user" ("id") ON DELETE RESTRICT,
    "driver_id" INT REFERENCES "user" ("id") ON DELETE RESTRICT,
    "facility_id" VARCHAR(32) REFERENCES "facility" ("id") ON DELETE RESTRICT,
    "vehicle_id" INT REFERENCES "vehicle" ("id") ON DELETE RESTRICT
);
CREATE INDEX IF NOT EXISTS "idx_request_status_6aafd5" ON "request" ("status");
CREATE INDEX IF NOT EXISTS "idx_request_series_eb973f" ON "request" ("series");
CREATE INDEX IF NOT EXISTS "idx_request_applica_0bc2ed" ON "request" ("applicant_id", "status");
COMMENT ON COLUMN "request"."type" IS 'VEHICLE_BOOKING: vehicle_booking\nFACILITY_RESERVATION: facility_reservation\nREPAIR_REQUEST: repair_request';
COMMENT ON COLUMN "request"."status" IS 'PENDING: pending\nAPPROVED: approved\nREJECTED: rejected\nCANCELLED: cancelled\nASSIGNED: assigned\nIN_PROGRESS: in_progress\nCOMPLETED: completed';
        CREATE TABLE IF NOT EXISTS "approval_step" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "seq" SMALLINT NOT NULL,
    "role" VARCHAR(32) NOT NULL,
    "decision" VARCHAR(8),
    "comment" TEXT,
    "decided_at" TIMESTAMPTZ,
    "channel" VARCHAR(16),
    "reminded_at" TIMESTAMPTZ,
    "escalated_at" TIMESTAMPTZ,
    "approver_id" INT NOT NULL REFERENCES "user" ("id") ON DELETE RESTRICT,
    "request_id" INT NOT NULL REFERENCES "request" ("id") ON DELETE CASCADE,
    CONSTRAINT "uid_approval_st_request_2b9e8c" UNIQUE ("request_id", "seq")
);
CREATE INDEX IF NOT EXISTS "idx_approval_st_approve_b77f92" ON "approval_step" ("approver_id", "decision");
        CREATE TABLE IF NOT EXISTS "audit_log" (
    "id" BIGSERIAL NOT NULL PRIMARY KEY,
    "actor" VARCHAR(64) NOT NULL,
    "action" VARCHAR(32) NOT NULL,
    "from_status" VARCHAR(16),
    "to_status" VARCHAR(16),
    "channel" VARCHAR(16) NOT NULL,
    "at" TIMESTAMPTZ NOT NULL,
    "details" JSONB NOT NULL,
    "request_id" INT REFERENCES "request" ("id") ON DELETE RESTRICT
);
COMMENT ON TABLE "audit_log" IS 'Who did what, when, from which channel, from which status to which.';
        CREATE TABLE IF NOT EXISTS "hold" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "resource" VARCHAR(80) NOT NULL,
    "start" TIMESTAMPTZ NOT NULL,
    "end" TIMESTAMPTZ NOT NULL,
    "active" BOOL NOT NULL,
    "request_id" INT NOT NULL REFERENCES "request" ("id") ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS "idx_hold_resourc_7c561c" ON "hold" ("resource", "active", "start");
CREATE INDEX IF NOT EXISTS "idx_hold_active_89aac8" ON "hold" ("active", "start");
COMMENT ON TABLE "hold" IS 'A resource kept for [start, end) by a live request: `vehicle:12`, `driver:zhaoshifu`,';
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE hold DROP CONSTRAINT IF EXISTS hold_no_overlap;
ALTER TABLE hold ADD CONSTRAINT hold_no_overlap EXCLUDE USING gist
    (resource WITH =, tstzrange(start, "end", '[)') WITH &&) WHERE (active);"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        DROP TABLE IF EXISTS "hold";
        DROP TABLE IF EXISTS "request";
        DROP TABLE IF EXISTS "approval_step";
        DROP TABLE IF EXISTS "audit_log";
        DROP TABLE IF EXISTS "resource_lock";"""


MODELS_STATE = (
    "eJztXW1T4zgS/iuqfLmZKnYKwgzDZq+uKgQD2ckLmxhmd8mWEbZCfNhSxlZg2L357yf5LX"
    "5N7MQOxvjLDJHUsv10q9Xdakn/NHSiIM380J7PDfIItdFCQ40W+KeBoc7/iK3fAw04ny9r"
    "eQGFdxYlr7FaSobb9M6kBpQpq5xCzUSsSEGmbKhzqhLMScQZAsRQkIEUYBANmYDOIAV2Tw"
    "hAYKBvC2RSQJ/n6Bdw8xfQEcQmwAS4TwMmRfMP/HEKkdnzVHyfe88LrLLGEiX3iM6Qwfq/"
    "+YsVq1hB35Hp/pw/SFMVaUoARecxEn8M78pqYf9itZ0ZNAS80M94aRebFGLZaqbcSTLRFj"
    "qO62P+TGcEe52wj+al9wgjA1Kk+ODGC01z2OMW2d/CCqixQN5HKMsCBU3hQuNM49T2uyzL"
    "GpI0GIrSWBAlqRFl6LVw0e30BOlkOPzSHZy3wCOaqbKGpDtCHhhrJvis3en2uuIf0kgYC6"
    "PrttgdDvjbyaqm0mfJQCYyHiHvb4JHwmW7O2Itf7sSxmKL8WwOVUNy8Ajz3HldmWAudiqm"
    "psUJHX6XNITv6Yz9PGz+sL9oyQe7lfXy7VHnoj16d9h8z/smTHZtyR44NU2r6ofVBaTQ7s"
    "Tiv4/hXNiinP51PBxYXI5y1yUIsVVRZQr+BzTV/tKs7HULlvxdjkGPmf+eLrDMsQZ3C1Wj"
    "KjY/8Of9p5GN7a6grGXGCvA5QLxn3TS/aX7Q3/Xbv4f50ekNTyzIiEnvDasXq4MTxhw+FK"
    "cPPt7wgjsoPzxBQ5EiNaRJktpGq/SmHi6BGN5b8PIv5t/n6M1TJqsG1RGmcVrVV7tSpyrB"
    "dusUajIjtlBhqhIV5y6m8dJsNw6Jsoo3EuEiNFRqUWVvy/77qXnw8fPH48Ojj8esifWaXs"
    "nnFdLcHYhr9IT1f+yEEA+s2z4f5Z9GOxQJbkApH+zvp9DKrFWiWrbqON5LfNm4YaNGyiS8"
    "AZqNZNiR0NLgnIMQR/RpGOMowGfEQOo9/oKeI4ZNCNVYdfi6MP7hSpFbunxFAz55+jQoXA"
    "wC9uGIWiAwS0gcdTsM7OSpagm6PFM1hXUVhf3EoTz7MkKaZUK9LcQD43/B7MgYOywLRles"
    "i1eoXBPhKdLcOXMM+Dhjx6tbaepM/a3Weo5twD0KTgvmGpTRBzCcI8xgATOyMEzABhvQiM"
    "y8uLuFqWJkMgdQ1RF4d3vCIBa7feHP4UC4fQ8e0Jy5hWbEgcz7ARM8aVxctPr9SQNQ9J22"
    "mA/KWwF7+gFPZKEpQDHgPRCJQYlqon+Z4ErssAb4kckyt9IZM5l/Cp6gpv0ks6c/TDBzVB"
    "doWy81bpZMNkVi58cSeaEbmiHF+4a1zeeBffQxBdhHHxPB5lVBg2+bCEu+kZVigG70BUHs"
    "Ds6l0XDYbwEdIeav30sGIfoEt69Ou+Jw1L1iNXChqJQY6kLnEZSOcMlDLA6VgWRkdejQnf"
    "/BCu+f2V+d9kAUBLedDDFFyG71knGWJXt5gELhL5Bh/Phpysza0owhGc7ZLGzPwSl9Jj9J"
    "Pm7/S2Oci+PvU/oIKabkBpVjLFJCNARxwgwQIQ5hzIwUrSiQvZLdRgJPhsNeIBJ40hVDIn"
    "zVPxFG7w4syWaNVNuPimJPmMkmTQ1bh6XVGgGiCqqNTym0xqdEpfEprDMsuCjJjLBNUuO7"
    "Dl/mBqmPMZbNSr2xJNqhvnBN91elLjIsF0RW9baML4yW61gVCcAUGWGwojEx0QU3SpMcWV"
    "i4LVJEFXSk3yEDkClgPjRz7Q0EFx/ALe9CVW6BalrlX1GH6MAuBO94CYZ0YUCNefvP76Or"
    "0Tn2W7aFHEc0y+vjF7yOYzMry+y3pKhcCCV/j6QOmRQIbm1a7MwTWS7kZ1uSjNDVPvb6dc"
    "lg1sQu1ybLBnTaxcmImG2xQMkTmiRNxQ85LL+NiJ1KWBHYAyrBSY3bEqVru5cKORGBGcrN"
    "KeW5mFsi5WayjllXVZWpXTumrxIkaJpsBkAx0/Db9t4D9orBjLwtc0yqh1DR8Q1rukuIcb"
    "hT4eo4h2S4zdYGO4YYWanxPChB2N+cnGclWP0Bxq0ZMnjWPGZlPLnWSkUGJrEz6a3QhSk9"
    "qXRmPfM2EvTIuf8JVk0AeQ6EJROASYrxDHjqMqEzwP3zO2giMylIcuOFgSyE/qqDJi8YNH"
    "GFdKPdEA5tUR5+HtsgxmL77KwF2BdMpxN8KlyK0oXQPm0BZmdTaYagMsFnPYFR99uD9rkw"
    "Yi+iIUQlWzsYjGbUvebFlh42vK0Qp93xZVvsXPAqZzeEoppzSOWZr9XX4eiLr8UTMR54rb"
    "f1on3a7/o3XUBFV/EEO8XWr3Is+lsaLdMI9FHUnvJ6T9nViVv6yBXLlNwLecc+oQr4xZ32"
    "uNM+FVa5xUVaDK7rF2Mw+LzCZHvh0deoOjtL3vrcOmdmeaaQuUdQueWIg6M0+0qOkreVHI"
    "UnJGsUZQHXI6gXJFIsSJgIxsUuxjrUtETF4BFVacI/bH4+8jQD/7FKKYz77V4vuuagYolv"
    "plXlrEs8QcJ6mSfDMo9lrmdc4vHT1LvO1q/uWHjtzmotGbqpl3T8YhUwW9kbgMFVr5dyOa"
    "fOddp5LHC4oHfkex+ZJryPte+DDVZa+cRqKum+tkUa+zfMtIF0Yb0DRt+pBClF+pz/bwfd"
    "UnsCJ+r9W3EGfm42Dw8/N/cPj44/ffz8+dPxvqczo1WrlOdJ95zrz8DklS6HKXbOWp3EFD"
    "9l1ZZtnGX7wL5r04inS1tmoBui8LvYsnY2TjD/u9Mendq/ZaYOJ7jfHn05HX4dtIAOjQeF"
    "PGHern/Za4uC5DbWLV9U4hSbBCDz9/fY42hsGknyeS4+kt2f6FL8RBgHbW5ntwRGDIrZhp"
    "SskJzmG42RsMlRphDGzwdpZPrng2Sh5nUhN9uboTdRR0vq3SmkxhxhdydfFq10KQxOrXOo"
    "HPoJHgsDpqdMNkL5woy9JgM30jbHKRhznMiW40gypm0nxbAl0Qryk+wu+LFfrC2U48a7oP"
    "UZwfWUAcP37CdtvYuQh/W5Q//B/aNaWp2fTjAW2/3LgGo/ZfM1r2lapc+h0nfhydXrBHzt"
    "ihf2iQf8YITwDOC1E/9s8HeCC0okTJ4kqPgxcYvdogDD+YEISJHuMs0bAaJcZo9SWbIHzT"
    "RqirVKnj+aEVXlYLbAVI0Jhq8eVmHaHMZUyRhQpSElG4jjvoH6DFLWmrPUbObm0AY89pHV"
    "w7jM/NWgSSVkGCQmbC4yOydBVQeoqjA3ruKp8Lu42of1WNobDs7d5mHHtjTnjway3Vec6+"
    "xmw6c419l0m+YaP75p+M7zNdG3SGrmjfMGXsBRQbLKj8PKGE9+K8HkwjJLOHMiqK5bm/+2"
    "W+f0dazMJ+e/xsNYdM7rCzoo+SeNeuohA8B+mipMdIVGqmSix++tTDYlfCRVgHcXdkRYpJ"
    "WN3LAgZW2ll9lKl2cQ42zphT6SKoyropfzDKTzL9tkIIVI65FU5pHEEIDahoGrMG3N6TJz"
    "OuQapl04C1JVyT3JbfnMvXUoE7BBohrX9dmsvuDHlums1du1vxdKaQ1KV/xWrDjlkAO4Fd"
    "/hFlKImU9/KTSSyc+z7pH7RlwU063bWxnB5K0kzWm2dmP81xkBiqqApxmke+xfhPcAPw+W"
    "/anKM+DY3IEyOycGUGL/jp4AmFOfOW+2q1Nsed0uUmyZwMUtviR7dh5BBWN+xZxkly3it6"
    "SoIMD5B1W5XpJW5Q3Goxwiq2MU62MUzNnJjnOAqEY5RWL37mNt5VYZ+UOcPfRS5wq9goiL"
    "gihUtUxX3PpIynHJLX/sq77ktgyBmrLNGNWL05QM4RzCNC8dS7ggIa/YX763KoYwc1ukuE"
    "SADVayMGRk3/03JQa4YUJhMMcfYeU9uHsGkKm8R+ReQt8Ct85ZPK2D5u0euLX3brf+nkFi"
    "ztTp4nYvElAo5CkTfOseCtbSjZ8O9w9uU4YdeBaX/ToWSN4Z4dYbNVjjm2hhnb21y+wtP3"
    "9S5x35aCpo8x6nuXf6OPna6ePIrdO2ZGc0ez2i2vItteWL4rZwr1lMjt25XTO2XIyt78HY"
    "2QFJ9apyZb2VskGc56ryy3grLvYxDouPLck+i08KCj7zh72DpvJLgx0UnWB0beLv1MS3oI"
    "k17ytyBfa1cNHt9ASJTUhfrGMdHIdWYnPug3W8g3fG9UgYC6PrNr/7mj/cOemaGQ3IeLTO"
    "KvNOyx4Jv10xE8I7Lts3al5+3a3sR3VEhk9+J3W0Ly9Hw2vhtAWc7BSFs+xXoSPyMgP9F8"
    "mUl3Xag47Q6/FCmaOgaby0PR53zwcWtXPdxwR3BxLr8pyJxrgFVCyxXrkZabI+hv3LnmB1"
    "LBN9zvV/SU4gCtzMFJvOmu7usPhs1rdrPJXKay9noLcSvt2LOu01X+tlyLeyDMlvtY27zC"
    "45urykKChj5eWObcvfEGRAOFZVEN7V+6+XVBVa4s1jB3Z9sM2bmCUWc2VDNgcpazaXms3h"
    "8FP6bWABsto5inGOHPcZZYQ2SFWh2Sc3YOu7IgoA1Yv0ZTvOPERWvQzq/A1SN/SaSX6DRL"
    "UAr13I86aoHJbyqr+HMTCbJyQexshwDthW7hr2MLrBkZsC2/qanlS4Jl/TEw+rO1PlAOyZ"
    "r6tqghua1lPA69qttdyu07ZBAz9zlrd/9QXNt7xdKnyYZUVmuKBk8k3sW8Lk2y1fDakMIM"
    "RT9LcUJHcfQFUEqNjsJDs5vEfkh0ZsipKvfm91npLdUtLcpms3WQwxAgZ5AnNkeBshfgFW"
    "0I4BBVQKpqphUsDXGKCmmsgETo6ICcgU0BmkHl30tIbce9/i3IYd3oNTsmypQnL1k7OnmB"
    "kWf2zoCm/WSDg09I1evxJxZF/oxBg2LOVZnE5yalZqI7hsU9+KvrPBXnBqZOLgTtakyaO7"
    "VEmRG+rT5qdPKRQqa5WoUa260FrBfJ4FYad5BdE92E8zXbFWyZmA+5HNZfVlhDtNbnnRye"
    "zH/wFV1WhN"
)
