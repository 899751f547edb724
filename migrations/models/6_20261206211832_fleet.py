from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        CREATE TABLE IF NOT EXISTS "fleet_notice" (
    "key" VARCHAR(120) NOT NULL PRIMARY KEY,
    "created_at" TIMESTAMPTZ NOT NULL
);
COMMENT ON TABLE "fleet_notice" IS 'Something told once (a reminder, a clash): its key, claimed by inserting it.';
        CREATE TABLE IF NOT EXISTS "vehicle_downtime" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "kind" VARCHAR(16) NOT NULL,
    "reason" VARCHAR(200) NOT NULL,
    "start" TIMESTAMPTZ NOT NULL,
    "until" TIMESTAMPTZ,
    "ended_at" TIMESTAMPTZ,
    "ended_by" VARCHAR(64),
    "created_by" VARCHAR(64) NOT NULL,
    "created_at" TIMESTAMPTZ NOT NULL,
    "vehicle_id" INT NOT NULL REFERENCES "vehicle" ("id") ON DELETE RESTRICT
);
CREATE INDEX IF NOT EXISTS "idx_vehicle_dow_vehicle_e11de5" ON "vehicle_downtime" ("vehicle_id", "start");
COMMENT ON COLUMN "vehicle_downtime"."kind" IS 'REPAIR: repair\nMAINTENANCE: maintenance\nSTOPPED: stopped';
COMMENT ON TABLE "vehicle_downtime" IS 'A vehicle out of service for [start, until): who said so, why, and until when.';
        ALTER TABLE "vehicle" ADD "maintenance_due_km" INT;
        ALTER TABLE "vehicle" ADD "maintenance_due_on" DATE;
        ALTER TABLE "vehicle" ADD "insurance_compulsory_until" DATE;
        ALTER TABLE "vehicle" ADD "insurance_commercial_until" DATE;
        ALTER TABLE "vehicle" ADD "maintenance_every_km" INT;
        ALTER TABLE "vehicle" ADD "inspection_due_on" DATE;
        ALTER TABLE "vehicle" ADD "odometer" INT;
        ALTER TABLE "vehicle" ADD "maintenance_every_months" SMALLINT;"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        ALTER TABLE "vehicle" DROP COLUMN "maintenance_due_km";
        ALTER TABLE "vehicle" DROP COLUMN "maintenance_due_on";
        ALTER TABLE "vehicle" DROP COLUMN "insurance_compulsory_until";
        ALTER TABLE "vehicle" DROP COLUMN "insurance_commercial_until";
        ALTER TABLE "vehicle" DROP COLUMN "maintenance_every_km";
        ALTER TABLE "vehicle" DROP COLUMN "inspection_due_on";
        ALTER TABLE "vehicle" DROP COLUMN "odometer";
        ALTER TABLE "vehicle" DROP COLUMN "maintenance_every_months";
        DROP TABLE IF EXISTS "vehicle_downtime";
        DROP TABLE IF EXISTS "fleet_notice";"""


MODELS_STATE = (
    "eJztPW132jrSf0WHL5ucw82TkCbtpXv2HJKQlm0CWaDt3S09RrFF8MZI1C9N8+ze/74j2Q"
    "a/Y4MBx/GXNkga2Z6R5k0zo//UZkwhmnHUms919hNrfUsjtSb6T43iGf8jsr+Oang+X/by"
    "BhPfC0jeI0ZKujv03jB1LJvQOcGaQaBJIYasq3NTZZSDDKcEMV0hOlGQzjRiIHOKTWTPRB"
    "BGOvlhEcNE5vOcvEffvqMZwdRAlCH3acgwyfyIP05hMjxPpQ+5z2xRFQZLJnsg5pToMP+3"
    "79CsUoX8Iob7c/4oTVSiKT4sOo+R+GP4VGKE/Qt6L6dYb1Nrds1bO9QwMZXFMOVekplmzW"
    "jUHPNnc8roYhL4aN76QCjRsUkUD7qppWkOedwm+1ugwdQtsvgIZdmgkAm2NE40Dm2/y7Kt"
    "Jknd3lAatIeSVAsT9Ev7Y+fypi1d9HqfOt0PTfSTTFVZI9I9Y49AmhG9bl12bjrDf0r99q"
    "Dd/9Iadnpd/nayqqnms6QTg+g/MZ9vRPvtu1anDyP/8bk9GDaBZnOs6pKDjyDNndeVGeXL"
    "TqWmISgxw78kjdAHcwo/Txt/2l+0pIM9Srx8q3/5sdU/OG0c8rkZrF17ZXednobo+lNMgU"
    "1sTyLo7yE4X2xhSv990OsKKoep6wIEyKqoson+izTV/tKs5HUblvRd7sEFMf86sajMcY3u"
    "LVUzVWoc8ef9rZaN7O5CWUmMBORzBPGZZ4bxQ/Mi/eC29UeQHpc3vQuBMmaYD7qYRUxwAc"
    "ThW3Hy6KENb7jH8uMT1hUp1MMaLG5suGvWmAVbMMUPAr38i/n3OXzzCtaqbs4INaO4qqc3"
    "kacq/nGrGGo8ITZgYaoSXs4dakavZntwYCmrdK0lvA0OlXqpwtvCf781Tt68ffPu9PzNOx"
    "giXnPR8jZhNXe6wxV8QvwfKRCiEeuOz4f5p+EO20SujymfHB+n4MowKpYtiz6O7yV+Yd/A"
    "rpEyLV4fzFpr2FmhhcFzDos4xE+DOA4j+JrpRH2gn8hzSLEJYDWSHb4sHP/priK3dfmKOn"
    "5a8FP/4gIUwIcTUyABNKFhv3MJyI4XVUuky1NVU2CqMNovHMjrT32iCRXqdWHct/8t0CMj"
    "9LAsOPoMU7xA5hqLnm2qO9eOAh+l7Cz6ElWdiXfUSsuxhbhFwWHRXMMyOUK9OaGAFjRllm"
    "4g2GxIYzJYcfeWoVJigAGozgg6GF8Aioed2/a/et32+BA9kjmYhUbIgMz7ASM6qn382Ly9"
    "HdWQSX6ZTbBB+Shkix/0xCxNQYqOH9CQ6SZTDfIXA30eXsIA+hPWMtfSgZhgn6InrGm/yf"
    "D0xxEFQ9Uim1qpUVIyXhWJlI8FskLXVEO2bxtWOt8C2edvUiD7/E0ssnmXX+HbxMOSr2dl"
    "O4iu3bbbw073g9Tv9W6baEYI2OsPks7YbERbn686w16/8xl6sKWoJtNVa8Y9KJftO+5ica"
    "B0IhMxoQP34Z/Q+PAMf122usN22x0nY2oSYo/ap59lSV7uoFD4C2TYP16YIpO2MHtIxnOQ"
    "wrYMTmkzeUHyMfv3jeNcDH8P0ydEMSTXqRyhkTKmEUxjJEAIOIBjUFK0bSF50bJbT+BFr3"
    "fj8wRedIaBJfz59qLdPzgRKxsGqbYdFcY9A5VNmug2D0vLNXxAJWQbZym4xlks0zgL8gyB"
    "LpNlxrANUuF3FX7BDFJ/Rmg2iXxjCbRDfuGq7i+KXWQ4Lgid6m3oX+gvz7FK4oDZpodBeG"
    "MivAuulybes2C5I1J4FWZkdk90xCYIbGgw7XWCrSM05lOoyhiphmj/Si7ZDNmN6IC3UGxa"
    "OtbA2n8+DJ9G5zhv0Q5ynKVZXBt/y+c4NrGySL8lROlcKPlbJJXLZIvIrVSLnVkiy4P8bE"
    "eSIbjKxl59LumPmtjl2WTREJ32cDK0zDY4oOQBTZKm0sccjt/6zA4lLAnafSzBCY3bEEtf"
    "7FlKZET4JJQbU8pjMTfElBvJOoCpyrqmdm2YvkgkYcMACUAixPDrtt59+ooOSt6GMSblw9"
    "C2/RtC3MX4OFxRmOznkHR32EpnR48SERrPnRIM/ubgPCpBzIeAWlOi86h5Cm08uFaEIiOD"
    "2ZH0wnVhSE+qORXPHIecHjnPP6KqgTCPgRBrAsFK0Z8RD11m5hRx+/weG8SIc5J8W7iBBI"
    "a+V06TPTpN3EW6VjaEA7stCz+PNIjBsHV93UTwBZPJiF6174bSx3brqolAzzalKcHKiF7f"
    "tAH6ttVtfWj34UU0QkzJ5g46wPQ7X3iz4MP6IhXiqjO4aw0vP/IuJxtCUY05NuWpZ9TXXv"
    "+TZ8QT0x957yL1onV12/EmXWBlptIRdZrFr2Ic+guOlmkHeiAqS3m1pezyxA1t5JJFStYD"
    "1rFnUfns4svW4LJ11U4yi7epMbimX4TC4LEK4/WFn55B5cksee2ydQ5qeSaX+QKgdMcRJ+"
    "dp8krO49NKzoMCSeyiLMhdAFQHEikOJAyCo3wXgxnWtFjGsAAqk8A/bbw9X3AG/iOJKQxu"
    "Wzc34TMHlUo8mVaVsx7x+AGrY54MAWcKm4FyEKFTxS5fL0iVcxZG6YzPTChXQCUFFA0W4Z"
    "W6AuzE8N9I6GCqNYDz5I0jxZGELwvjCei8ag3bK/D5GBEcGbtYo4GrZZu8bAmY8M/rI9oL"
    "XqE6DapnjJrTzIpE0jwlwns+qoVh6QJRMpvNLc1ggC2LmmqEchzPnJNnec1M2oeZGdFlFW"
    "sb4jc0yyvH75yIyidr6BSRwK8Zm7aTOmNgkxemRNx1azFNAl+789UWDLupA5m8y8rnrIU3"
    "QN3PNzcpg5iqCP/VMQLsiXIel08E05Uz2wv02ewlXqBnmffs1y0xDPwQeQbgH1BPOglgYq"
    "g084zd5oHAtxowKdMS70DJL1PCpklmc/5/DYZ+8x64OCO/ZzpEuFAfXss5wu+Nxunp28bx"
    "6fm7szdv3569O14InnBXkgS66HzgQqju9XulS3+IFPzJ+Q/Rcr9yikc5xR/hu9YNlnBhi4"
    "zo2rD9x7ApiqKMKP/7stW/sn/LwCVH9LbV/3TV+9ptohnWH7nU4eNu725AE5XcwTNxjCXZ"
    "ELxR+nzHVVVeywBYrTV3FfH9HyLB48zI2PT4IpEekN2XidyPnZFbQUjfXiIRtQ3iWZUzfK"
    "3dE9ToinQu+vtJmjX9+0n8ouZ9gbO7hUhfh1EtoXfHqmpzQt3yIFn41V27eyWK2zrwIzpo"
    "d4GDGbBDebSXHeiFlXW4zbsUhHkXS5Z3oQwvW7GKIEusfuQF2d2J6vF2taQcq3n41dUQXq"
    "8cx09MemIYPMlx9LLtoSiM8pJng2Hr9s7H2rmg5j0N0focaD0ICtfFJOhrZ/jRLqPGq60F"
    "JcBi3PBfNf5O2DKZRNmThBUvTtxmt8lHcF5ljSjSfSa54QPKRXoUSsc9aaRhUzAqXn40Qq"
    "zKwVmCkzt+WwVhc9hTBSNAmbaUrBOO9zXYpx+y4pyFJjNXh9agsQes2sZFpq+GDVMius4i"
    "TiWGoOfEsGofVBlkYxJN238Mk23YBUlvet0P7vCgYVuYSw18KbQJl8W4KbYpLosx3KG5Op"
    "y/1TyXhBjkRyjf65vzBgtXpEJkldfYzehpfi1u5q2Fq3PihLC6KuD3x26N05cRkxOfVBeN"
    "xm0n0u3RQMk/E23BHjIg2AtTBkG3VU+ViFCKcorHqxIekDKgdxd6RHBJK2uZYX7ISksvsp"
    "YuTzGl2XKWPCBl2FfbPs7TyYx/2TobKQBa7aQi7yTAANbWdFwFYStKF5nSAdMw7cGZH6pM"
    "5klux2fuVaaZEOsHqvC6OljY4/zYMFq4fKXA6oGIYf/qiq7vEMUcckBuyctmBBhi5pKS2/"
    "Rkuus6wonpWfLx/kvPDttyqCy8g6by+3g2CYit3JQbuikFakJoLdHtUq/l5u6XE7AW2j75"
    "xau17u76vS/tq6Zz2T1ROMn+3r4c8jad/JvIJhFxtN3L9s0Nb5Q5FjSNt7YGg86HroB2Km"
    "mOaKcrwZQfYGkMmkilEszKNXID5ujd3t20xcQ8y5MLgLUi4/I33H1FjyONunRluaNtuter"
    "mAY2mZ49BMAFqszkIpvJJCovYYUfJDIdoaJroeiqEBOrWoRkjM9P8IDsPj+h9teJRUU+Nu"
    "I3PpoqNY74Y/+WUVAWNmuBXxgTlWUZ78JfQmzJg//yr+n1eEuwGXmxaHIUwhKqRNnrecQh"
    "VOGdr0JK2Bl165DZD1mRudBkdstLSxscc8bNUamBRaa8PCXyI5jy2Hhcj5tHwFcULzzFgV"
    "acaOuR2wtc0brItBZx+Jb+sNbWDgFXtC4yrYNHSOkDGnxglYMzwsHpuMBJRtT6oUpkQeaG"
    "2Kqo3BaQujity1ayJwBWvqjQ/J1K7vFppvXrB6oW8MpAp4WICiO5isYJReP4pHlMOE7EGs"
    "4Bt6W7pTSIXf/OTYHbqp5nKrzG1/OMRqsrqXJA7LVnqnIiNyDWU6DX1VurdbuK2/oV/A2u"
    "065uPo7DuW9lThnH3EZo+shslayM6MGWokYoSZlWEZ/ihj2UZ9NutT6vWE0R4cXuKouPLZ"
    "66I1Ze4dtCOjGYpcsEPZK5iSZMR99E9FQdEaocovtnhJEGIhQ5oZdNNHZUleZJY1xHY1vA"
    "Nv9/ipkxVSfWuF4L4HQ7TxnRsSt+mjP9t9Pjk3Hc1b2hkGj3dQSSZBOm5n/ZUWPfef3gYG"
    "N9EXm0AK3ip3d746+HZKkLFHhgihw7vabP4d1xmgz64/gU+uOIiOb9BlsWDeFlcuLvNdqy"
    "IuwWT2cWwiqgmyVd0bgEqq5nTH89Y5V+WqWfFsxRkCb9dF8pkrb6dcPkx1pknqSnv56cLG"
    "mPlDR36ErLpkfBmGBPaE70hfXxHjGKBv+4ge1dRyKIEAiAVDBIVN0wEY95xppqEAM5OWsG"
    "OrizmTVAhcya/B8xojrRVOiESVTTQOSXrFm8AhRaLgOkwl8EK4cprZ1YM2WHpewLZqpsRY"
    "uON13AcI2u/JVwjKfH1P16pRXUQ7JiPxxNeLA+8sr8UbUrF52JvEw40qSpO24lIxtOCZKn"
    "gM2/cLZAEIcUbOdAVdDJIWwdGMDjqdDYID/G6AHUOoqYZSJMFejEJjAnmekKwE+xMT0K8b"
    "HcnzCibX77KXA7rNlMEFiaywPryGCix0BYJ0uOqKADLJ7KeTxngEu2WOdvMKJPOnDVRbfN"
    "ZA+dd3C+AFF+7yp3MD0a7/kj4THwtCl7Mpx35P/PeMIqmuhsNqIcFMycTZlplEKYnP6Rpz"
    "ZYBM/P+pkfGWt7Jt3NtfPKnltmmju5nCsQ08m3cBbFwAe0w8tXajtRD/K5jqtI8oufwMSJ"
    "L+d0ZpX00pxhK4XX1ylDCkiRJxASdfiX0Lrgu/CnKk+RUyjQ12bXRUAmc36PrMbxyRshmD"
    "SVAuufIBwSYVt6zojyde2IloORdXZ80hhZ52/J2ch6N5ko8K/SOAUJOebjxkg1QNbgxtk5"
    "4mVrhFgCiQZiUcaUUVUGccjTM+vOI1UK6j1gbERtwXpwUkeNOjqti5dpnKMnFXYTyNkHPD"
    "dsSTee6+Sn2G1jIRWFwOXvaks3IaHRb+hkfIRa/Nkjyr8dFgPCE5PofAkZiDKQotCooxnP"
    "qhHC2Rbd75Etg10ZqRH8E7oxfwN4XVsBeA/va+9zxG88P5o/I7EsEHyzOnmG77AXzv/Zi0"
    "VgDwYdgvyn8HT+1rY1BK9NVC5pQWMY0Zb7DYBFLupNUDI4AsTL2V8hUABvb78GGjtL1/sc"
    "rlmMBQWFygGbmtlC3iYiozLhZSRmfH5QOfgDoBmDHgJsQOHfyAfzSiRE39jEqq6W3OfVks"
    "CZoq4WiJdkC4ASHhblf60kls1IqzYRv5tUsy42gvOPAObCSkoqMhQTa+0HK1+sdf6FfEy2"
    "Bp59QBWWV2N5D5Wki80y8kdx9ky8Kof+BZzwVgV1CldQZ4eOqWJdBLwXx9TC6s0iPHxA5R"
    "PQ+Wv0WRFc4TY9bvcVOVI0NJcvcKRgGM4hbmTftbU79J5ZVBkQQmsRnmpvdz3JWa3aAyXD"
    "HbnNQttVnMUqYydNoAWMSjB3VoZaJJWOS1LPEgvH5XZ8WE49rSBnW06G8BV7osJijWAcwS"
    "GJzMNNyFW8o1Mk1DhwIj6CTcRJgioTX86LuGb8sImepgwZWFWQwfiR0HNdnG+IXnGGFQ7V"
    "yH/6NOky/txkJ02mSn/ZZfrLoxoVvZ+u0rwLW2QPWs0u+O8W+h/R2xYgpd3l9eOb4pjRJJ"
    "R/3YgOhr27O14N3jDZfF6UWvAgQIxspyFLiNIFTTSO08h6GBWLYNFXJSe9Gg+nkEpZibsA"
    "qqrHFZm2ZM2qr164isLFp/B9JjvXC1M5EFc7EF0TNRuW/VBF1gALh+iq/Hypeda+6usVja"
    "Zb9sjvowRc0VCc1iWfqgbcfrxr1xohZpeZqhzpWfN215O8ahM+EPbkYuRKj9qAzQiP0X1A"
    "JtMUO4CXZwrZNwHodYSRrGFjetgUgcKP5LnOG4DBKryujEoNojtJmGF/Wt6TV8cEGx8TNF"
    "IdEzQSjgkaGx0TVCL+RYv4gpxGtIiuytMoVun0JHJJvByzlyPLyoW/BRd+bBp4PJOPzwMv"
    "g+nWODtL4yU+O4v3EvO+QATsfJ4Fw87wEmL3JJUP/iTBB38S9sHDE00SVSw7PhDVA7L7QN"
    "T9CMrcQk73Ksz+/B9azXvx"
)
