from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        CREATE TABLE IF NOT EXISTS "stats_day" (
    "id" BIGSERIAL NOT NULL PRIMARY KEY,
    "day" DATE NOT NULL,
    "department_id" INT NOT NULL,
    "metric" VARCHAR(8) NOT NULL,
    "key" VARCHAR(64) NOT NULL,
    "n" INT NOT NULL,
    "c" INT NOT NULL,
    "total" DOUBLE PRECISION NOT NULL,
    CONSTRAINT "uid_stats_day_departm_7b96d5" UNIQUE ("department_id", "metric", "day", "key")
);
        CREATE TABLE IF NOT EXISTS "stats_dirty" (
    "id" BIGSERIAL NOT NULL PRIMARY KEY,
    "lo" TIMESTAMPTZ NOT NULL,
    "hi" TIMESTAMPTZ NOT NULL
);
        CREATE TABLE IF NOT EXISTS "stats_state" (
    "name" VARCHAR(16) NOT NULL PRIMARY KEY,
    "tz" VARCHAR(64) NOT NULL
);
-- The dashboard's rollup (models/stats/rollup.py): every change to a request marks its
-- days dirty in the same transaction; the first refresh builds the rollup.
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


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        DROP TRIGGER IF EXISTS stats_dirty_request ON request;
        DROP FUNCTION IF EXISTS stats_mark_dirty();
        DROP TABLE IF EXISTS "stats_state";
        DROP TABLE IF EXISTS "stats_day";
        DROP TABLE IF EXISTS "stats_dirty";"""


MODELS_STATE = (
    "eJztXW132kiy/it9+DL2OcRrcJxkPPfcc7GNEzY2eIHMzG6YI9pSY3QtWowk7Hj3zn+/Va"
    "0XJCEJCQuQZX1JjNTVkp7urqqut/5PbaYrTDOPWspM5W1FtWpn5D81TmcM/li9WSc1Op8v"
    "b+EFi95pojXFZhJz292ZlkFl7HBCNZPBJYWZsqHOLVXn2L5FDP2JWFNGBCWZ03tmEnlK+T"
    "1TyMH4QeXKmDyyqSprQD6hsqqp1nOdUNNkVp0YC40R3YBeNGb+QsYP7HmMT1Z0GR6t8vtt"
    "PWTEVcskc41aPgqiKg4Rseg9ELI/F8yEH89z0cHCZIaqHAIahj7DF+JE5+LFFAoQUpMR1S"
    "TYsWUsrGl9xClXCGcqNDHI2GQM3pPr+Oczl8fkyVAt+BL9Ee6qFjmwB+Rv2O5oDu/v/obG"
    "8PuQLDh8gDnilq4pxNLh07Epuepct8m7dwaDz5HZOxw9c3x4hDguuAqfIFn6PcN3ADS/f6"
    "8hXngTcKj98Qf8Ab/ZD2biXfw5f5AmKtOUwDxSBYm4LiEeeK3DrSvREEfsTpJ1bTHjy8bz"
    "Z2uqc6+1ysWkumecGQA7dg8w4aTiC01zZqA7z+wXXzaxX9FHo7AJXWg4NZHafoHltZokdX"
    "tDadAeSlJtZdq6FL5J5lySdY5THl7VFF9/j6/wrtl4//H9p5MP7z9BE/Ga3pWPf9mPXgJj"
    "Ewp4usPaX+I+zA67hcB4Cao7EkFYL6bUiMbVbR9CFl45jKyLYxK07oUltstVvgtwZ/SHpD"
    "F+b03hZ+NDApK/tvoXX1r9g8aHQ3ygDkzJ5ldd505T3EKwfeDC9M6Crd28hNB+eJ8C2g/v"
    "Y6HFW0FoQSboRhZwPYIK3jTwWqvYXgI8ljpjMfhaEeAqDsmR+8crhDoB2mHnpj0Ytm5usf"
    "uZaf6pCZxawzbeaYqrz6GrB2EG4nVCfusMvxD8Sf7V67YFnLpp3Rviict2w3/V8J3owtIl"
    "rj9JVPFj4l52L/2F8nTy4GP+eOGOyg9P1FCklTt6U49ru3pr1pyFr1AOupHioInv6ap/87"
    "mhP1KtvxCfvaoe+u8na4hOS8lwm65VEodT1J4UZoCuInQwUJmoReyeQKkL6Fm/wJeQGaPc"
    "BE2JuE8jpsXmRyuaYW49j/iIY2cgBFCFCxLWUfejthaICp3O4akToeehQDZBDxNKo+QQHS"
    "mqCXOHauPDM1ABRSPyBEog9it0UZtYf+LiYfbbKuQOng3qKuqTOmprJl7BX/jkn0xBe0Ra"
    "4ktHfEafCY6irX+yOTWsGeMWKpLQqUUfQDsVeurBGO5a0pRR5X8aJ+MzQYC/8D18hI0TUF"
    "jZ0f2RaHC3MBhdwFNtfVifTFSZHRIVVqdDKhTy+VxTZcqtn8w4fTOtgumAZ3OvDKIlTJeP"
    "hNmv2hmQLyfNFPLlpBkrX/BWshoqls4q5n8f9LoxmLsEYYmjyhb5P6Kp5oqqn5esqf3XZM"
    "FlRBSmqKpZMCGP8Hn/Xdu9BEKAAsLHBf3gpvV7eDwurnvnYamCHZzD4BRESlx6zCBKRvju"
    "JkoIJdhunXiIH4gXMJOt7FaLzze2vF0V/2dgzW77Eir9jePjNPvV4+P4DSveC+r9sG5g1U"
    "iZJm+AZqM57MzQwuCcwyRe4adhjFcBvtINpt7zr+xZ4NyBd6Jcjpq+kezwdWH8lzuL3KvL"
    "VzTok8dPg5MLIIAPZ5YAoQ+7oX7nAsCOF1VL0OWpqinQ1Srs5w7l1dc+06j4jjeFeGD9o3"
    "05Qg/LgtE36OIVMtdU8IidyAvxaWEfJZo+21QHrxy3SJQy6N1LVAUn/lYpnEl3uv6AtER4"
    "Mo5Ib844wEKm+gJ2w8CMiKbLsGe/W5gqZyZsc1XYAB+MzwFitNCg5WZ8CLv4uQX71ghHUr"
    "4PGPFR7cuXs5ubUY1Y7Id1Bht8YUGyxTN50heaQhSD3pOhbli6auI2/tvwAhrwR1jruIuB"
    "wdSB7olq2jsZnv4w4o9UW7CX7qejtIh4VS1Sf6j2zuv3zpVOvEVDeLwtqM0XsxVFLQB0vv"
    "ag7QBdu2m3h53uZ6nf692ckRljFsAtGbo+G/HWt8vOsNfvfIM7dKGolm6oC7jeb1+0b4ed"
    "XtehMpjMRIcO3ed/wsX7Z/jrotUdtttuOzTTMWa3CrPGXa6l5fCiAUfBF8iwfvw0RR7awq"
    "whmc5BClsRvtDYPaWfJB+zyL4xzsUw4mP6jCmm5LoQIjRSXdcY5TESYIU4hDEoKdq2QPau"
    "7NZSet7rXQcspeedYWgKf7s5b/cPGmJmQyPV3meuYq+DyiahYyML1wgQlZBtnKbgGqexTO"
    "M0zDMEXJaeGWGbpMJ3Hb6wDVIfIzSbRL6xJNohv3BV91fLLiaani1UxSPY3TSubct3te0Q"
    "K/bnQp3PIu2p8c7DAFHlQMzFgegfFNueY2RzIwSJKj/CWj+CA1gOjoSUJtuCwZvWhRCcWA"
    "EfArwC6X67vk7nQ3DiPF5o/+3bvZQH761agMXUjLD+ulM23vK7cFuksPrO2OyOGW5IkR14"
    "dETGdrT9WEQzwfXf2IU+c0LwyQFe4dRaGFTDoK3D1diwHPstWiDCWw+btwcri1K3pCidiT"
    "t/i1Fl0t5u6Hy19dvN1m8ZiJZNF16hq2yg6/XhYNTfLmNrigZ0Ws14ZZq9IMDG0eAkx+Gu"
    "RoXzZlGT/e79kujJfs6A8cuSpvKHHKJt+rr2ihNrknFycmpfiNKvdi8lnUteQgwmkrw0Os"
    "npawBdlXVO7Xof/ypBoqYJApNFaC1v29gRUO8M0IlfGFJaboTuFlx5Mfc+F52UeKExy5Qw"
    "oO+FrLsKLM1kVhRqU4xp0VWpks2LkuE2W2tj7HEmsibRFojZm0iOwZqiPwKjhfU5rCnlcA"
    "1dKsIBRUzdTicVFkNTwgxO8czVCiU59z/imBaKoaFiThCYKcYzlhq5062pV2skNuPyu2d9"
    "FQhVJT72aat0J+kmIYwu7bYMazngXBsMW1dXZwS+YDIZ8cv27VD60m5dnhEv6XjEr67bQH"
    "3T6rY+t/vwIhpjluQ4hoCm3/kVLwt5bmB8422r05cuO4Pb1vDiC94yYKusGhLmVVNLnvpa"
    "/dbrf/W1eNKNB7x71broXHeG/5RalzedLn67vZ+VRAWhEW8NBv43stO3vTdyiETb8FrfT6"
    "Sk4HeZ1qePojJfrTdfuRxzN77cooGb1mTlm1QBY9VFa3DRumwn2aq2qU+4BoYIdcJne4jX"
    "Jh59jcqTrvzWJa8o7pbFj+URlM5HmH/kl1hFWcD1CCovYQovoclolIVsMKOaFssYPKIyCf"
    "yT5scPHmfAH0lMYXDTur5edQSqXALB9ajKWf2uQcLK95ohSl/RZ6AcROhUsdPXT1IFIK5C"
    "OsOeGUcFVFJA0dAjbJ9YJS4uwDOKOqli3OtDPAFOLAC3Bs+HiIyShHjZKOJq2iZPWwYb/O"
    "fNgfaTV1CngXqmc2uaWZFI6qdEuOejWpgLQwAl67P5QjN1QGvBLTVCOY5nzsm9vGUmHUBm"
    "xgxZpdoL8V3p5Y3jO2ciG2YDnSKS+C2jaZuwM0Yb+mlKxF23Fmgo8NqdrbZg6KaOLvRPqy"
    "rtZruRKPoTRx6XT5zcpdPbK7TZ7CWaoLew7vQfN8w06X2kDyDYoJ7kCdBFU2nma7tNh8D3"
    "GjApayHegbMflkQti83m+H8Nmn73O1ycln9kciKcq/dvxY/wc7N5cvKxeXzy4dPp+48fTz"
    "8de4Jn9VaSBDrvfEYhVPfbvdLlJEUK/uSkpGi5XxnFo4zi8aelrA+leA0np9SG7d+HZ6KS"
    "3Ijj3xet/qX9WwYuOeI3rf7Xy95v3TMyo8YDSh1sd3N7DZqo5DaeCTeWZFPgRenbLaqqWA"
    "AKWO1i7iri+3ciweOsjMUDfCS7Lx2wn33GVooE7PBwnLBGVyS/6M+NNHP650b8pMZ7Id+d"
    "J9I3YVRL6h3WH5kz7tZUy8Kvbtvdy0738xlx6Ed80O4CBzNhhWIsmB0GRpVNuM2nFAPzKX"
    "ZYPq0eqSMUq4hhidWP/CS786geb1dLyrEEWlBdXcE1+cCiCPLq9KLCnV7kH3AsTcsU6S6T"
    "3AgQ5SI9CqXjNppp2BS0ipcfzRVW5WCWYOSOX1Zh2hzWVMEGoExLSjYY4r4B+wxSVpyz0M"
    "OM6tAGY+wjq5ZxkcdXo6YlMcOIqjM4BD0nhlUHqMogG5PGtP37MHkP6w3pda/72W0e3tiG"
    "qoNT8yGjyc1HsiXE97iZ3YYyAstkDg9Fx7mS8Vi+EGEZZngQ8OZpmrKw0CoWcHGvMMe/Ba"
    "oPRPhRwtUJUhwSarpNc/WifHe9ksIvwv5cSXH87ryBZ19XmKziaRu2VwV/Kbb2lM2d8lZ8"
    "KVvLycDBWkF1XVT7n7u1wLyOwLP4vNIYfrzlXNI98uH80y09dpEBYD9N+WRdzuZYEYYX5f"
    "mJ15d9JGWAd9fKsk/mrYCevA8NUlZb0SJvReUp5TxbYp6PpAzrats+a4PN8Ms2WUgh0mol"
    "FXklAQJU29A6G6atRrrIIx3aKqb1DgepyrQ9yc1H7OzSswEbJKpwXR8R7zOGvDAkvnxVFe"
    "uhsPjg7IouYhLFHHIAt+S1YUIMMXMx421aNt15HWHU9E35eHumb4VtOR4c3kFT8aTOUNQ3"
    "mi2DTt9A+WjnmphxISrfNaOyd+7Y3umCv0kkoEtbZItd7df2l87FdVs67/W+ilBAp5aShC"
    "dti5BArxQbMIF2/9cWnlyLD3cKsoEix4xHkRnjFXXrt//xDTiGV9XNWX5u2Tbvtl22zbc4"
    "9285LHrw58riyi/2s3V72+/92r6EcbFFgYID+vf2xRCvGex/mWwxEZPevWhfX+NFGVHQNL"
    "wKQ9v53BXUTu3jEe90JejyM0ycwRlRuQS9ouJvQh+9m9vrtugYM6ZRzmwUZZq/fSCKLafN"
    "BI0grfTfiH2FLcpWgF0TTuMSVbvxIu/GWVSOzxpzS2RqTzWuhRpXhVlU1SIkY3yuj4+kGM"
    "eE4mNLc0wonogWlbEc7ylYUpQudip/RRCAcLSqLMEOS6oSVYLII9yhCpV+E1LCzk7dZJiD"
    "lNUwF3qY3ULu0gu8qXF9VGpgkUdenjL5Abby1HzYjJtH0FcjXvgRh7HCQdtsuP3E1VgXea"
    "xFTsvCuN9oaa8QV2Nd5LEOe6rSx00EyCoDZ4SB0zGBs4zQBqlKtIPMDVj7RLxssAZoKlAj"
    "ztmuql7mD6rnIM2W4BgiK19Eb/6WOtdjnWn+BomqCbw2SM2T+6sgV5FUK5FUARUpJpQqYg"
    "7ngG3pDusOoxtcuSmwrQoOp8I1vuBwNKyupMoB2CtfV+UENyTWU8DrbgaqebuO2wZ3TSmg"
    "vfNOxH4hsKmP1n6l0AZ2TpkDgv3xPmz+wtra4doFJVEdAvNyqiNyL4Lpi27rumWEhy4U9a"
    "WHvGMX1/p9eZZsWGYwy5SmzobnBThhRyUCaZu5CWLJRSQmuEsxPith6rZYl5JQaxGDmfrC"
    "kBl5YHOLTHSDfBcBkXXCuHJI7p4JJRoocMSJpj4jY0dRPms0x3UyttW7s39PqW5O1cliXK"
    "+FMN3OU0Z87Co/ZzPj3clxYxx37v1KMoX7OgIk2YKu8S8nEQJzI8IX614woUdaJUzsNGHC"
    "P2RpbV5+miInS2xo8fp0nKb2xnF88Y3jiCSF/cZPFw3wMvnl9hpAXQ3sFh2unrAKKWZJJx"
    "gviarTi9OfXlwlrleJ6wWzpaRJXN9XcrWtfl3r8kMtMsPad7+enGZtt5Q0t+nanU2Pw2ZC"
    "fyJzZni7j1+IzsngH9ewvOtExAXDABAVNiSqYVoE0xiopprMJE6SqkkObm1mDVQr25r8Hz"
    "HiBtNUuAmdqJZJ2A9ZW2DtOLKcBkSFvxhVDlPudmK3KTs86aVgW5WtaNHxWxfYuEbXDExw"
    "IhsxFQPf6AEjK7JiPxxNmPm+4ME1UVVwvZuJvExYG6Wp224tIxtOGZGngOZPyBYYQUrBdg"
    "5UhTQOYelAAwyRJGOT/Tkm96DWcaIvLEK5AjepBcxJ1g0F6KfUnB6t8LHcnzDibTwcHLgd"
    "1WwmCCzN5YF1YurijkmowZYcUSEHVDwVeTwywCVbrOMbjPiTAVzVu20z2UPnHZwvIByPJU"
    "cD04P5Cz4SHgNPm+pPpvOO+P8Mc9DJxNBnI46ksM15KTONUgiTM7ry1AaLYPnZPJkrY1Xg"
    "pKMrd14TeMtMcydnV4bCtHEJZ1EMAkQ7PJusthP1IJ/TKoskv9BNFSe+HBfWOumlOc3WCq"
    "/fpjpRQIo8gZCow7+M1wXfhT9VeUqcEqOBa3apE2Lpzu/RonnceC8Ek6ZyYP0TQldE2Jae"
    "M+I4rx3RcjBanB43mqPFh4/sdLT4NJko8K/SPAEJOcZ2Y6KaIGto8/QDwYJXQiyBRAOxKF"
    "Ouc1UGcYgZ13XnkSoH9R4QG3FbsB406qRZJyd18TLND+RJhdUEcvaezk1b0o3nBnsUq20s"
    "pKIQuPiutnQTEpq8I43xEWnhs0ccvx0mA6ETixk4hUzCdZCicNEgM0yUE8LZFt2/EFsGuz"
    "JSY/QRblN8A3hdWwH4Bd7XXudAr/Kj+TMR04LAN6uTZ/gOe+L8zZ4sAj1odAjyn8PT8a3t"
    "3RC8NlNR0oLGMOIt9xsARRT1FigZCIB4OfsrBATw9vZrkLEzdf3PQc1iLEZQqBywqHVbyN"
    "uDqHOZYWWYGfYPKgc+AC5T0EOADSj4jdgYSw8xI+0W63toE05FeYDqROaCnsgMwxN1Ik+8"
    "hPMISuhEyv80Zmf2Z8P3JfXxiw1w/nHpKMSkpHpiMRkAQbLyZQDkX7PL0jfAOUBUobwe5T"
    "3Upi82y8gf4uxJt1W5jFfg+a1qZxWudtYODVZhMfFmVPsl3t5uOIvwCBCVT0Dnr9FnBbjC"
    "Nj22Kr/Tf0TGkyQaBHxUW8oxLT/z2FcwT9FmePlieQqGcA6hPPs+KKGDDOecUasW4TpY3q"
    "wn+Q5spnXntkuRnDA3dJmZJvqVGTUsJD0T5mADHbroPsYf+hNHg7rGyBhbSNQSlvgJ6GkR"
    "3u7cen2Btxj6jkocjpeoHkHpwm/ykqjx5l5n9CIYkKbTuNIuS5oQ4hMkKte297L37fy6TW"
    "777YvOoOPsirx9rriJl5Zxsf1267o4Tk3BfW5gQVMhyKK5k3t/PYNKxZviYU/jLULzoHgV"
    "e1mLjKOF6eXIw7+V66iYrqMqZtI2UP7cSGOh/LkRb6LEe0F13LcC0uLrIymhGTj/zeacPo"
    "P4ioA43l7oI9m9vXA/8nArlkGDyUx9jKl/maCJhOgqbSROGwkftrTx8Voe8Q5j2XI7a+m2"
    "37toDwb2RXufI663r66c85bYZOKct3TZ67bPiKJzFt4kpZIBafzajXi/dmPFr73jXVHBjA"
    "RbD8uwLDabWxHOovi6oT6S0oTU5lfdEhZOVm7uo9mQkxds1m6ZkRtsrkVo3PHqikfwImXl"
    "9YC8JV0FQJRMFlWTMTGpOEi4w8Ri78qrzSx+oiqmCkqWHlljJwn1MGmF+xrcC2K4cipqXo"
    "IaI2JpImxX4Sb1JPOVW8BS8bdOYWV36ERGlz4Rsc+qzAJVehbQoXZ4Rp6mOjGpqhBTxyD2"
    "57qIyBZ3RdR9lLk97+7TWNiCtTyrE473ULDnQY2qN5JuC+bSFtmoU7PPJHbPIh7xmxaA0u"
    "7iIbZnIjHCYhy/bsQHw97tLe69TEufz1lBDqQ1GDWzxWkvKUqX5tU8TpMGDq1iARb3qnJK"
    "byb2UkilrIPrEVVH2BR5bNmGR8/56aoRLv4I32Xy5vlpKovjeouje8BqNpSDVEXWAAsHdH"
    "UGbql51r7OoynamG45YHUfR6YUDeK0EaupzkzZj3XtSmPM6uqWKkda1vy360lWtQk2hDXp"
    "tVxrURvoM4ZVBe4JWmTtkgNY28g+jtioE0pkjZrTQzvq9IE91/ECMFgFK2Gr3GSGUzZu1Z"
    "6Wd+dVAbkXB0M105gOoFWCK3xtDblKxJdWxBfEG+GcORPBKpen0cRzyeXRN1uNna1M+Ls0"
    "4YPQy1Rv321fWYfTWIcNURt2Fd/ksoFLqhLlnm1eO9BXFYUxBTnhKqBD9iMGTD9NGSw6Sa"
    "Kw/fswIAVXAkU8SXjd6352m4ejR1am8EY6iZGvRvKKRuE1KCRRq0qi5sNGQx3ZQTXmRR7z"
    "aq/xJoY5fJpw2qDgEFllUqzOuN79Gdfxe2R/tpMRFe6e5bzC0pUc2OqJhfbpjlG1hd1jHx"
    "MKC3tNUh3toVpshtGEosQuu1dNC22faOC0TGLRe3i12R0zsGjvJ+X9+9HiPaMfR4uPk8aH"
    "0eL0ZPLxcNW0mmO/aWIUZZhM97ohjKJezhEesSndieOcq3jFnRo7YHCz2Dqc5qWzZudfrt"
    "Q/z1MHAfhoShgCkD/I4v8MALvtSwhu/vEVmi57ekJagP00FcgpQH6k2iJiCl8yWZ1RLSa4"
    "waUJbzVtoiOH+BWinZRX177o3LSuDxrNejOU3uIC/z4qFPl1ZUSrXDIt57S3LFH5na40GP"
    "Yuvp4Rt4cR7wwG3zD8XjXNBSY+D/ut7uCq3e+LNGlAnZsTZhgiUfqyM7jtDbC1opqw5S5K"
    "tL59jNImRpkgZWV6K7JNRmG4aZ2xrEaZFboSOYdyS9j27a3SIxskqmBdhfWBsXlM5Z5YVA"
    "M0FahrDYg2XruzHhYM3bTGw8C0irEcRrPbHKC9DHRWToBX5EwKkB0OmgPCpbPGhuENCpsA"
    "tvAKpPvt+npf4bQD2AOYl/S5FmHe9e7Vkyy8uIswJcVplmuU2PfViTljQCaLMbOfiOGnf7"
    "wknKyqsoj3dlFl0Rmx1U1OjPJLIyu++Hc2JbMAwFYlXIxorxuHomGXt4q7ZCZpzX9LihIa"
    "/z6lMG58ij8wPWza2GceQaFwzd+omuXQ+eq4+ci1H7HsYyGMWvAVhDVLt2hEqYSEOnkexS"
    "7rnR4fbQvQJFn+uouv26q/algJGwNxt55ia+A1LEwKSaXz70rn1/Ssfg2bogoyLbRDY6pm"
    "HVabohrWwg1rkSTOQHik4yTOwPVXr5M4nmN7PxJnv0E7BQo6y8tdnhDd9+8sQNutqx1mzA"
    "6zIJygxQxVnkZxAedOIgegyzaFUTffiq65tSDeR2aYGQP1fCQlXPDN09M0mcunp/GZy3gv"
    "dJQALKoMCDvNS4huI1VeeCMhL7yxmhcOT7QiPdLxVe99JNUhPRkL3+9VmP31/0Qrqss="
)
