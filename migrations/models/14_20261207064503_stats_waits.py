from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        DROP INDEX IF EXISTS "idx_audit_log_request_0569ff";
        CREATE TABLE IF NOT EXISTS "stats_wait" (
    "id" BIGSERIAL NOT NULL PRIMARY KEY,
    "day" DATE NOT NULL,
    "department_id" INT NOT NULL,
    "metric" VARCHAR(8) NOT NULL,
    "key" VARCHAR(64) NOT NULL,
    "bucket" INT NOT NULL,
    "n" INT NOT NULL,
    "late" INT NOT NULL,
    "low" DOUBLE PRECISION NOT NULL,
    "top" DOUBLE PRECISION NOT NULL,
    CONSTRAINT "uid_stats_wait_departm_cbb564" UNIQUE ("department_id", "metric", "day", "key", "bucket")
);
        CREATE INDEX IF NOT EXISTS "idx_request_status_258af9" ON "request" ("status", "type", "created_at");
        CREATE INDEX IF NOT EXISTS "idx_audit_log_request_d1d0d6" ON "audit_log" ("request_id", "action", "at");
-- The waits' histograms (models/stats/waits.py): a step's decision, a repair's audit
-- records and a request's type, department or creation mark their days dirty too.
CREATE OR REPLACE FUNCTION stats_mark_dirty() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        INSERT INTO stats_dirty (lo, hi) VALUES (OLD.created_at, OLD.created_at);
        IF OLD.start IS NOT NULL AND OLD."end" IS NOT NULL THEN
            INSERT INTO stats_dirty (lo, hi) VALUES (OLD.start, OLD."end");
        END IF;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        INSERT INTO stats_dirty (lo, hi) VALUES (NEW.created_at, NEW.created_at);
        IF NEW.start IS NOT NULL AND NEW."end" IS NOT NULL THEN
            INSERT INTO stats_dirty (lo, hi) VALUES (NEW.start, NEW."end");
        END IF;
    END IF;
    IF TG_OP = 'UPDATE' AND (OLD.type IS DISTINCT FROM NEW.type
            OR OLD.department_id_at IS DISTINCT FROM NEW.department_id_at
            OR OLD.created_at IS DISTINCT FROM NEW.created_at) THEN
        INSERT INTO stats_dirty (lo, hi) SELECT decided_at, decided_at FROM approval_step WHERE request_id = NEW.id AND decided_at IS NOT NULL;
    END IF;
    RETURN NULL;
END $$;
DROP TRIGGER IF EXISTS stats_dirty_request ON request;
CREATE TRIGGER stats_dirty_request AFTER INSERT OR DELETE OR UPDATE OF type, status, department_id_at, created_at, start, "end", vehicle_id, facility_id, rating, assignee_id, driver_id, details
    ON request FOR EACH ROW EXECUTE FUNCTION stats_mark_dirty();

CREATE OR REPLACE FUNCTION stats_mark_step() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        INSERT INTO stats_dirty (lo, hi) SELECT OLD.decided_at, OLD.decided_at WHERE OLD.decided_at IS NOT NULL; INSERT INTO stats_dirty (lo, hi) SELECT decided_at, decided_at FROM approval_step WHERE request_id = OLD.request_id AND seq = OLD.seq + 1 AND decided_at IS NOT NULL;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        INSERT INTO stats_dirty (lo, hi) SELECT NEW.decided_at, NEW.decided_at WHERE NEW.decided_at IS NOT NULL; INSERT INTO stats_dirty (lo, hi) SELECT decided_at, decided_at FROM approval_step WHERE request_id = NEW.request_id AND seq = NEW.seq + 1 AND decided_at IS NOT NULL;
    END IF;
    RETURN NULL;
END $$;
DROP TRIGGER IF EXISTS stats_dirty_step ON approval_step;
CREATE TRIGGER stats_dirty_step AFTER INSERT OR DELETE OR UPDATE OF decided_at, seq, role, request_id
    ON approval_step FOR EACH ROW EXECUTE FUNCTION stats_mark_step();
CREATE OR REPLACE FUNCTION stats_mark_audit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        INSERT INTO stats_dirty (lo, hi) SELECT created_at, created_at FROM request WHERE id = OLD.request_id AND type = 'repair_request' AND OLD.action IN ('create', 'assign', 'completed');
    END IF;
    IF TG_OP <> 'DELETE' THEN
        INSERT INTO stats_dirty (lo, hi) SELECT created_at, created_at FROM request WHERE id = NEW.request_id AND type = 'repair_request' AND NEW.action IN ('create', 'assign', 'completed');
    END IF;
    RETURN NULL;
END $$;
DROP TRIGGER IF EXISTS stats_dirty_audit ON audit_log;
CREATE TRIGGER stats_dirty_audit AFTER INSERT OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION stats_mark_audit();"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        DROP TRIGGER IF EXISTS stats_dirty_audit ON audit_log;
        DROP FUNCTION IF EXISTS stats_mark_audit();
        DROP TRIGGER IF EXISTS stats_dirty_step ON approval_step;
        DROP FUNCTION IF EXISTS stats_mark_step();
        DROP INDEX IF EXISTS "idx_audit_log_request_d1d0d6";
        DROP INDEX IF EXISTS "idx_request_status_258af9";
        DROP TABLE IF EXISTS "stats_wait";
        CREATE INDEX IF NOT EXISTS "idx_audit_log_request_0569ff" ON "audit_log" ("request_id", "action");
-- The request's trigger as migration 13 made it.
CREATE OR REPLACE FUNCTION stats_mark_dirty() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        INSERT INTO stats_dirty (lo, hi) VALUES (OLD.created_at, OLD.created_at);
        IF OLD.start IS NOT NULL AND OLD."end" IS NOT NULL THEN
            INSERT INTO stats_dirty (lo, hi) VALUES (OLD.start, OLD."end");
        END IF;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        INSERT INTO stats_dirty (lo, hi) VALUES (NEW.created_at, NEW.created_at);
        IF NEW.start IS NOT NULL AND NEW."end" IS NOT NULL THEN
            INSERT INTO stats_dirty (lo, hi) VALUES (NEW.start, NEW."end");
        END IF;
    END IF;
    RETURN NULL;
END $$;
DROP TRIGGER IF EXISTS stats_dirty_request ON request;
CREATE TRIGGER stats_dirty_request AFTER INSERT OR DELETE OR UPDATE OF type, status, department_id_at, created_at, start, "end", vehicle_id, facility_id,
    rating, assignee_id, driver_id
    ON request FOR EACH ROW EXECUTE FUNCTION stats_mark_dirty();"""


MODELS_STATE = (
    "eJztXetz4kiS/1cq+DJ2BO017ud4Li4O27ibbRu8QM/MbjMhylJhdBYlRhJ2e/fmf7/M0g"
    "O9kbAAWdaXbiNVlqRfVWVm5av+05jrCtPMo7YyV3lHUa3GKflPg9M5gz+iN5ukQReL1S28"
    "YNFbTbSm2Exibrtb0zKojB1OqWYyuKQwUzbUhaXqHNu3iaE/EmvGiKAkC3rHTCLPKL9jCj"
    "mY3KtcmZAHNlNlDcinVFY11XpqEmqazGoSY6kxohvQi8bMX8jknj1N8MmKLsOjVX63rYeM"
    "uWqZZKFRy0dBVMUhIha9A0L255KZ8ONpITpYmsxQlUNAw9Dn+EKc6Fy8mEIBQmoyopoEO7"
    "aMpTVrjjnlCuFMhSYGmZiMwXtyHf984vKEPBqqBV+iP8Bd1SIH9oD8DdsdLeD93d/QGH4f"
    "kiWHDzDH3NI1hVg6fDo2JZfdqw5588Zg8Dkye4OjZ04OjxDHJVfhEyRLv2P4DoDm9+8NxA"
    "tvAg6NP/6AP+A3+8FMvIs/F/fSVGWaEphHqiAR1yXEA691uXUpGuKI3Uqyri3nfNV48WTN"
    "dO61VrmYVHeMMwNgx+4BJpxUfKlpzgx055n94qsm9iv6aBQ2pUsNpyZS2y+wutaQpF5/JA"
    "07I0lqRKatS+GbZM4lWec45eFVTfH1d/gKb05a7z6++/T2w7tP0ES8pnfl41/2o1fA2IQC"
    "nt6o8Ze4D7PDbiEwXoHqjkQQ1vMZNeJxdduHkIVXDiPr4pgGrXthhe1qle8C3Dn9IWmM31"
    "kz+Nn6kILkr+3B+Zf24KD14RAfqANTsvlVz7lzIm4h2D5wYXrnwdZuXkFoP7zLAO2Hd4nQ"
    "4q0gtCATdCMPuB5BDW8WeK0othcAj6XOWQK+Vgy4ikNy5P7xAqFOgXbUve4MR+3rG+x+bp"
    "p/agKn9qiDd07E1afQ1YMwA/E6Ib91R18I/iT/6vc6Ak7dtO4M8cRVu9G/GvhOdGnpEtcf"
    "Jar4MXEvu5f+Qnk6vfcxf7xwS+X7R2ooUuSOfqIntY3emp/Mw1coB91IcdDE93TVv8XC0B"
    "+oNliKz46qh/776Rqi01Iy3KZrlcTRDLUnhRmgqwgdDFQmahG7J1DqAnrWL/AlZM4oN0FT"
    "Iu7TiGmxxVFEMyys5zEfc+wMhACqcEHCJup+1NYCUaHTOTx1KvQ8FMgm6GFCaZQcoiNFNW"
    "HuUG1yeAoqoGhEHkEJxH6FLmoT649cPMx+W4XcwrNBXUV9UkdtzcQr+Auf/JMpaI9IW3zp"
    "mM/pE8FRtPVPtqCGNWfcQkUSOrXoPWinQk89mMBdS5oxqvxP6+3kVBDgL3wPH2HrLSis7O"
    "juSDS4XRqMLuGptj6sT6eqzA6JCqvTIRUK+WKhqTLl1k9mkr6ZVcF0wLO5Vw7REqYrRsLs"
    "V+0MyJe3Jxnky9uTRPmCt9LVULF0opj/fdjvJWDuEoQljipb5P+IppoRVb8oWdP4r+mSy4"
    "goTFFVs2BCHuHz/ruxewmEAAWEjwv6wXX79/B4nF/1z8JSBTs4g8EpiZS48JhBnIzw3U2V"
    "EEqw3TrxkDwQz2AmW9mtlp9vbHm7Kv7PwZrd9hVU+lvHx1n2q8fHyRtWvBfU+2HdwKqRck"
    "3eAM1Gc9iZoaXBuYBJHOGnYYyjAF/qBlPv+Ff2JHDuwjtRLsdN31h2+LIw/sudRe7V1Ssa"
    "9NHjp8HJBRDAhzNLgDCA3dCgew5gJ4uqFejyTNUU6CoK+5lDefl1wDQqvuNVIR5Y/2hfjt"
    "HD8mD0Dbp4gcw1EzxiJ/JMfNrYR4WmzzbVwUvHLRKnDHr3UlXBqb9VBmfSra7fIy0Rnowj"
    "0l8wDrCQmb6E3TAwI6LpMuzZb5emypkJ21wVNsAHkzOAGC00aLmZHMIufmHBvjXGkVTsA8"
    "Z83Pjy5fT6etwgFvthncIGX1iQbPFMHvWlphDFoHdkpBuWrpq4jf82OocG/AHWOu5iYDB1"
    "oHukmvZGhqffj/kD1ZbsufvpOC0iWVWL1R/qvfP6vXOtE2/REJ5sC+rw5TyiqAWALtYetB"
    "2gG9edzqjb+ywN+v3rUzJnzAK4JUPX52Pe/nbRHfUH3W9why4V1dINdQnXB53zzs2o2+85"
    "VAaTmejQofv8T7h49wR/nbd7o07HbYdmOsbsVmHWuMu1tBpeNOAo+AI51o+fpsxDW5o1JN"
    "MFSGErxheauKf0kxRjFtk3xoUYRnxMnzHFlFwXQoxGqusaozxBAkSIQxiDkqJtC2Tvym4t"
    "pWf9/lXAUnrWHYWm8Lfrs87goCVmNjRS7X1mFHsdVDYJHRt5uEaAqIJs430GrvE+kWm8D/"
    "MMAZel50bYJqnxXYcvbIPUhxjNJpVvrIh2yC9c1f3FsouppucLVfEIdjeNG9vyXW07xIr9"
    "uVQX81h7arLzMEBUOxALcSD6B8W25xj53AhBotqPsNaP4ABWgCMho8m2ZPBmdSEEJ1bAhw"
    "CvQHrfrq6y+RCcOI9n2n8Hdi/VwXurFmAxNWOsv+6UTbb8Lt0WGay+cza/ZYYbUmQHHh2R"
    "iR1tPxHRTHD9N3auz50QfHKAVzi1lgbVMGjrMBobVmC/ZQtEeO1h8/Zg5VHqVhSVM3EXbz"
    "GqTdrbDZ2vt3672fqtAtHy6cIRutoGul4fDkb97TK2pmxAZ9WMI9PsGQE2jgYnOQ53NS6c"
    "N4+a7HfvV0RP9nMGjF+WNJXfFxBtM9C1F5xYk46Tk1P7TJR+tXup6FzyEmIwkeS50UlOX0"
    "Poqqpzatf7+BcJEjVNEJgsRmt53caOgHpngE78zJDSaiN0u+TKs7n3meikwguNWaaEAX3P"
    "ZN11YGkus6JQmxJMi65KlW5elAy32VobY58zkTWJtkDM3kRyDNYU/REYLazPYc0oh2voUh"
    "EOKGLqdjqpsBiaEmZwimdGK5QU3P+YY1oohoaKOUFgphhPWGrkVrdmXq2RxIzL7571VSBU"
    "l/jYp63SnaSbhDC6tNsyrBWAc2M4al9enhL4gul0zC86NyPpS6d9cUq8pOMxv7zqAPV1u9"
    "f+3BnAi2iMWZLjGAKaQfdXvCzkuYHxjTft7kC66A5v2qPzL3jLgK2yakiYV00teeZr9Vt/"
    "8NXX4lE37vHuZfu8e9Ud/VNqX1x3e/jt9n5WEhWExrw9HPrfyE7f9t7IIRJtw2t9P5GSgt"
    "/lWp8+itp8td585XLM3fhyywZuVpOVb1IFjFXn7eF5+6KTZqvapj7hGhhi1Amf7SFZm3jw"
    "NapOuvJrl7yiuFseP5ZHUDkfYfGRX2IV5QHXI6i9hBm8hCajcRay4ZxqWiJj8IiqJPDfnn"
    "z84HEG/JHGFIbX7aurqCNQ5RIIrgdVzut3DRLWvtccUfqKPgflIEanSpy+fpI6ADEK6Rx7"
    "ZhwVUEkBRUOPsX1ilbikAM846rSKcS8P8RQ4sQDcGjzvYzJKUuJl44jraZs+bRls8J82B9"
    "pPXkOdBeq5zq1ZbkUirZ8K4V6MamEuDQGUrM8XS83UAa0lt9QY5TiZOaf38pqZdACZOTNk"
    "lWrPxDfSyyvHd8FENswGOkUs8WtG0zZh54w29NNUiLtuLdBQ4LU7W23J0M0cXeifVnXazX"
    "YjUfRHjjyumDi5C6e3F2iz2Us0QX9p3eo/rplp0rtYH0CwQTPNE6CLptLc13abDoHvDWBS"
    "1lK8A2c/LIlaFpsv8P8GNP3ud7g4Lf/I5UQ4U+9eix/h55OTt28/nhy//fDp/buPH99/Ov"
    "YET/RWmgQ6635GIdT0272y5STFCv70pKR4uV8bxeOM4smnpawPpXgJJ6c0Rp3fR6eiktyY"
    "49/n7cGF/VsGLjnm1+3B14v+b71TMqfGPUodbHd9cwWaqOQ2ngs3lmRT4EXp2w2qqlgACl"
    "jtcuEq4vt3IsHjrJzFA3wkuy8dsJ99xlaKBOzwcJywRlcmv+jPrSxz+udW8qTGeyHfnSfS"
    "N2FUK+od1h9ZMO7WVMvDr246vYtu7/MpcejHfNjpAQczYYViLJgdBkaVTbjNpwwD8ylxWD"
    "5Fj9QRilXMsCTqR36S3XlUj7erJRVYAi2orkZwTT+wKIa8Pr2odKcX+QccS9MyRbrNJTcC"
    "RIVIj1LpuK2TLGwKWiXLj5MIq3IwSzFyJy+rMG0Ba6pkA1ClJSUbDHHfgH0GKWvOWephRn"
    "VogzH2kdXLuMzjq1HTkphhxNUZHIGek8CqA1RVkI1pY9r5fZS+h/WG9Krf++w2D29sQ9XB"
    "qXmf0+TmI9kS4nvczG5DGYFlsoCHouNcyXksX4iwCjM8CPjJ+yxlYaFVIuDiXmmOfwtUH4"
    "jxo4SrE2Q4JNR0mxbqRfnueiWFX4T9GUlx/O68gWdfV5is4mkbtlcFfym29pTPnfJafClb"
    "y8nAwYqgui6q/c/dWmBeRuBZcl5pAj/eci7pHvlw8emWHrvIAbCfpnqyrmBzrAjDi/P8JO"
    "vLPpIqwLtrZdkn8yKgp+9Dg5T1VrTMW1F5RjnPl5jnI6nCutq2z9pgc/yyTRZSiLReSWVe"
    "SYAA1Ta0zoZp65Eu80iHtopZvcNBqiptTwrzETu79HzABolqXNdHxPuMIc8Mia9eVcVmKC"
    "w+OLvii5jEMYcCwK14bZgQQ8xdzHiblk13XscYNX1TPtme6VthW44Hh3fQVDypMxT1jWbL"
    "oNM3UD7auSZmXIjKd81wospXMWbuTV/XtUV0pxZRdwQ2iRV0acts02v82vnSPb/qSGf9/l"
    "cRLOhUW5LwLG4RNOgVawM20Rn82sazbfHhTsk2UPWY8SByZ7yyb4POP74BT/HqvjkL1C3s"
    "5t22C7v5lu/+bYtlDw+NLK7iokPbNzeD/q+dCxgXW1goOKB/75yP8JrB/pfJFhNR673zzt"
    "UVXpQRBU3DqzC03c89Qe1URx7zbk+CLj/DxBmeEpVL0CtuDUzoo399c9URHWNONUqijeJQ"
    "i7cgxDHurLmiMaS1hhyz87CFXQTYNQE3LlG9Xy/zfp3FZQGtMcjEJv/U41qqcVWYRVUtRj"
    "ImZwP5SMpxkCg+tjIHieKZaXE5zcm+hBVF5aKrilcEAQhHq8oTDrGiqlCtiCICIupg6lch"
    "Jez81U2GOUhZD3Oph9kt9S49w9+a1EetBpZ55OUZk+9hK0/N+824eQx9PeKlH3EYKxy0zY"
    "bbT1yPdZnHWmS9LI27jZZ2hLge6zKPddiXlT2yIkBWGzhjDJyOCZzlhDZIVaEdZGHA2mfm"
    "5YM1QFODGnMSd10Xs3hQPQdpvhTIEFn1Yn6Lt9S5Hutc8zdIVE/gtWFsntyPglzHWkVirQ"
    "IqUkKwVcwcLgDbyh3nHUY3uHIzYFuXJM6Ea3JJ4nhYXUlVALCXvq6qCW5IrGeA190M1PN2"
    "HbcN7poyQHvrnZn9TGAzH779QqEN7Jxyhwz7433Y4pnVt8PVDSqiOgTm5UxH5J4F0xfd1n"
    "WrCA9dKupzj4HHLq70u+os2bDMYJYpzZwNzzNwwo4qBNI2sxfEkotJXXCXYnLewsxtsS5p"
    "odEmBjP1pSEzcs8WFpnqBvkuAiKbhHHlkNw+EUo0UOCIE019SiaOonzaOpk0ycRW707/Pa"
    "O6OVOny0mzEcJ0O08Z84mr/JzOjTdvj1uTo4Y3Z9LTLdzXESDJFnSNf/lSJcIXm14woUda"
    "J0zsNGHCP2RZbV5+mjInS2xo8fp0nKU6x3FyeY7jmCSF/cZPlw3wKvnl9hpAXQ/sFh2unr"
    "AKKWZpZxyviOrzjbOfb1ynttep7SWzpWRJbd9X+rWtfl3p8n0jNgfbd7+Znohtt5Q0t+na"
    "nU2fw2ZCfyQLZni7j1+IzsnwH1ewvJtExAXDABAVNiSqYVoE0xiopprMJE6SqkkObmxmDV"
    "SRbU3xjxhzg2kq3IROVMsk7IesLbG6HFlNA6LCX4wqhxl3O4nblB2eBVOyrcpWtOjkrQts"
    "XOOrCqY4kY2EmoKv9AiSiKzYD0cTZr4veLRNXJ1c72YqLxPWRmnmtlvLyEYzRuQZoPkTsg"
    "VGkFKwnQNVIa1DWDrQAEMkycRkf07IHah1nOhLi1CuwE1qAXOSdUMB+hk1Z0cRPlb4E8a8"
    "g8eHA7ejms0EgaW5PLBJTF3cMQk12IojKuSAiqcij0cGuGKLTXyDMX80gKt6t20me+i8g/"
    "MFhOPB5Whgujd/wUfCY+BpM/3RdN4R/59jDjqZGvp8zJEUtjnPZaZxCmF6RleR2mAZLD+b"
    "J3PlrBucdrjlzqsGb5lp7uR0y1CYNi7hPIpBgGiHp5c1dqIeFHOeZZnkF7qpksSX48JaJ7"
    "00p9la4fXbTCcKSJFHEBJN+JfxpuC78Kcqz4hThDRwzS51Qizd+T1enhy33gnBpKkcWP+U"
    "0IgI29JzxhzntSNaDsbL98etk/Hyw0f2frz8NJ0q8K9y8hYk5ATbTYhqgqyhJ+8/ECyJJc"
    "QSSDQQizLlOldlEIeYcd10HqlyUO8BsTG3BetBq0lOmuRtU7zMyQfyqMJqAjl7RxemLekm"
    "C4M9iNU2EVJRCFx8V1u6CQlN3pDW5Ii08dljjt8Ok4HQqcUMnEIm4TpIUbhokDkmygnhbI"
    "vuX4gtg10ZqTH6ALcpvgG8rq0A/ALva69zoFf50eKJiGlB4JvV6RN8hz1x/mZPFoEeNDoE"
    "+c/h6fjW9m4IXpupKGlBYxjztvsNgCKKeguUDARAvJz9FQICeHv7NcjEmbr+56BmMREjKF"
    "QOWNS6LeTtQdS5zLAyzBz7B5UDHwCXKeghwAYU/EZsjKWHmJF1i/U9tAmnsusFzV1Yqz65"
    "uVjZlqxbwCDFndyTLOc8ggq6koo/tXm1BnLg+5w6+uUGuPjodBRlUlpVsYQ8gCBZ9fIAiq"
    "/cZekb4BwgqlFej/IeatiXm2UUD3H+1Nu6aMYL8P/WFbRKV0Frh2arsJh4Nar9Cm9vT5xH"
    "eASIqiegi9fo8wJcY5sdW5Xf6j9io0pSDQI+qi1lmlafeewrpKdsM7x6ET0lQ7iAgJ59H6"
    "jQRYZzxqjViHEgrG420zwINtO6ddtlSFFYGLrMTBO9y4waFpKeCqOwgW5ddCLjD/2Ro1ld"
    "Y2SCLSRqCXv8FPS0GJ93Yb0+w2cMfcelDydLVI+gckE4RUnUZHOvM3oxDEjTaVKBlxVNCP"
    "EpElVr23vR/3Z21SE3g855d9h1dkXePlfcxEur6NhBp31VHtem4D7XsKCpEGTx3Mm9v55B"
    "ZeJNybBn8RmheVC8ir2sRd7R0vQy5eHf2nVUTtdRHTlpGyh/bmWxUP7cSjZR4r2gOu5bAV"
    "nx9ZFU0Axc/GZzQZ9AfMVAnGwv9JHs3l64H3m4FcugwWSmPiRUwUzRREJ0tTaSpI2Ej1za"
    "+JAtj3iHEW2Fnbh0M+ifd4ZD+6K9zxHXO5eXzqlLbDp1Tl266Pc6p0TROQtvkjLJgCx+7V"
    "ayX7sV8WvveFdUMiPB1sMyLIvNF1aMsyi5eqiPpDKBtcXVuISFk5eb+2g25OQlm7VbZuQG"
    "W2gxGneyuuIRPEtZeTkgb0lXARAlk8VVZkxNLQ4S7jC92LvyYvOLH6mKCYOSpcdW2klDPU"
    "xa474G95IYrpy6mhegxohYmhjbVbhJM8185ZaxVPytM1jZHTqR16VPRQS0KrNArZ4ldKgd"
    "npLHmU5MqirE1DGU/akp4rLFXRF7H2duL7r7LBa2YEVPp7xPLpvaazGoba1sz70aV3Uk2x"
    "bMpS2zUadhn0zsnkg85tdtAKXTw6NsT0V6hMU4ft2YD0f9mxvce5mWvliwkhxLazBq5ovT"
    "XlFULtnr5DhLMji0SgRY3KuLKr2a2EshlfIOrkdUH2RT5rFlGx5A56erR7j8I3yby5vnp6"
    "ktjustju4xq/lQDlKVWQMsHdD1SbiV5ln7OpWmbGO65YDVfRycUjaIs0asZjo5ZT/WtUuN"
    "MaunW6oca1nz326mWdWm2BDWpNdyrUVtqM8Z1ha4I2iRtQsPYIUj+1Bio0kokTVqzg7tqN"
    "N79tTEC8BgFayHrXKTGU7xuKg9rejO6zJyzw6GOsliOoBWKa7wtZXkahFfWRFfEm+Ec/JM"
    "DKtcnUmTzCVXB+BsNXa2NuHv0oQPQi9X1X23fW0dzmIdNkSF2Ci+6cUDV1QVyj3bvIKgry"
    "oKYwpywiigI/YjAUw/TRUsOmmisPP7KCAFI4EiniS86vc+u83D0SORKbyRTmIUq5G8oFF4"
    "CQpJ3KqSqHm/0VDHdlCPeZnHvN5rvIphDp8pnDUoOERWmxTrk653f9J18h7Zn+1kxIW75z"
    "m1sHIlB7Z6bqF9xmNchWH38MeU8sJek0wHfKgWm2M0oSi0y+5U00LbJxo4LZNY9A5ebX7L"
    "DCzd+0l59268fMfox/Hy47T1Ybx8/3b68TBqWi2w3ywxijJMpjvdEEZRL+cID9qUbsWhzn"
    "W84k6NHTC4eWwdTvPKWbOLL1fqn+eZgwB8NBUMASgeZPF/DoDd9hUEt/j4Ck2XPT0hK8B+"
    "mhrkDCA/UG0ZM4UvmKzOqZYQ3ODShLeaNtGRQ/wC0U7Lq+ucd6/bVwetk+ZJKL3FBf5dXC"
    "jyy8qIVrlkWs6Zb3mi8rs9aTjqn389JW4PY94dDr9h+L1qmktMfB4N2r3hZWcwEGnSgDo3"
    "p8wwRKL0RXd40x9ia0U1Yctdlmh9+zClTYwyQcra9FZmm4zCcNM6Z3mNMhG6CjmHCkvY9u"
    "2tsiMbJKphjcJ6z9gioXJPIqoBmhrUtQZEG6/dWQ9Lhm5W42FgWiVYDuPZbQHQXgQ6qybA"
    "ETmTAWSHgxaAcOWssWF4g8ImgC28Aul9u7raVzjtEPYA5gV9asSYd717zTQLL+4iTElxmh"
    "UaJfY9OjHnDMhkMWb2EzH89I/nhJPVVRbx3i6qLDojFt3kJCi/NLbii39nUzELAGxVwsWI"
    "9rpxKBt2Rau4K2aS1fy3oqig8e9TBuPGp+Rj08OmjX3mEZQK1+KNqnmOnq8PnY9d+zHLPh"
    "HCuAVfQ9iwdIvGlEpIqZPnUeyy3unx0bYATZPlL7v4uq36q4aVsjEQd5sZtgZew9KkkNQ6"
    "/650fk3P69ewKeog01I7NGZq3mG1KephLd2wlkniDIVHOkniDF1/9TqJ4zm29yNx9hu0U6"
    "Kgs6Lc5SnRff/OA7Tdut5hJuwwy8QJfqNqbMjx6mYGPvDottuLVRoBWcr3zKrt0y9DV63t"
    "07V9ulQGlto+XdunX4z24IfWkXvZ+cGKoGYEMYygtvc/G0ItNlA6EUW3eQ1kBEj9MZfN32"
    "lfW/wznItj6Yuc/pRFjW35vSltBkrZrBGXQWvfaaam0K7alMaB8lp2pFtLS31ghpkz9cxH"
    "UkEl9OT9+wxaKLRKrsWF90KH4y1i+Gkywk7zCqLbylTprJVS6awVrXQGT7RiY6yTz3Hzkd"
    "THzuY8ym2vwuyv/wfVvmOM"
)
