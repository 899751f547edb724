from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        CREATE TABLE IF NOT EXISTS "admin_edit" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "kind" VARCHAR(16) NOT NULL,
    "key" VARCHAR(64) NOT NULL,
    "actor" VARCHAR(64) NOT NULL,
    "at" TIMESTAMPTZ NOT NULL,
    CONSTRAINT "uid_admin_edit_kind_2d78ad" UNIQUE ("kind", "key")
);
COMMENT ON TABLE "admin_edit" IS 'A row the admin pages changed (`kind` vehicle, facility, rule or roles; `key` its';
        ALTER TABLE "facility" ADD "floor" VARCHAR(16) NOT NULL DEFAULT '';
        ALTER TABLE "facility" ADD "manager_id" INT;
        ALTER TABLE "facility" ADD "equipment" JSONB NOT NULL DEFAULT '[]'::jsonb;
        ALTER TABLE "facility" ALTER COLUMN "floor" DROP DEFAULT;
        ALTER TABLE "facility" ALTER COLUMN "equipment" DROP DEFAULT;
        ALTER TABLE "facility" ADD CONSTRAINT "fk_facility_user_10518a46" FOREIGN KEY ("manager_id") REFERENCES "user" ("id") ON DELETE SET NULL;"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        ALTER TABLE "facility" DROP CONSTRAINT IF EXISTS "fk_facility_user_10518a46";
        ALTER TABLE "facility" DROP COLUMN "floor";
        ALTER TABLE "facility" DROP COLUMN "manager_id";
        ALTER TABLE "facility" DROP COLUMN "equipment";
        DROP TABLE IF EXISTS "admin_edit";"""


MODELS_STATE = (
    "eJztXe1T2zy2/1c0+bIwk7IQCuWhd+5MgNBmGwgb0vbZbZ5xhK0kvjhy6hcod2//93uObC"
    "d+TWxwEmP8pSXSObb8k3TedCT9pzbVFaaZe01lqvKWolq1U/KfGqdTBn9EK+ukRmezRRUW"
    "WPROE9QUySTm0d2ZlkFlfOCIaiaDIoWZsqHOLFXnSN8khv5IrAkjgpPM6JiZRJ5QPmYK2R"
    "neq1wZkgc2UWUN2EdUVjXVeqoTw9YY0Q1g15j5kQzv2dOQqJZojaLL8F6Vj9fyhgGfadTy"
    "kRJVAWr202amRaynmeCyTWaoyi58uKFP8fWc6Fw0Q6GAFjUZUU18HLEM25rUB5xyhXCmAo"
    "lBhiZj0Cqu459PXB6SR0O1oN36A9SqFtlxsP870u3NoLXebyCG37vE5tBqaKulawqxdPhQ"
    "JCWX7U6LvHtnMPgGmb3DjjKHu3uIms1V+ATJ0scM2wDY/fhRQ3SwEj6+9tdf8Af8Zr+Yib"
    "X4c3YvjVSmKYEhowoWUS4hHljW5talIMT+uZNkXbOnfEE8e7ImOp9Tq1yMnzHjzACs8fEA"
    "E44fbmuaO9i8IeU0fEHiNNHHo7ARtTUchcjtNGBRVpOk625fum31JakWGaEeh29IuUWyzn"
    "F0Q1NN8fVjbMK7xsH7D+9PDo/fnwCJaOa85MNv59ULYBxGAc91v/Zb1MPocCgExgtQvZ4I"
    "wno+oUY8rh59CFlochhZD8dl0HoFC2wXE3oT4E7pL0ljfGxN4OfB8RIkvzV755+bvZ2D41"
    "18oQ7yxxFN125NQ1Qh2D5wYXhnwdYhLyG0x+9TQHv8PhFarApCC+JfN7KAO2eo4E0DrxXF"
    "9gLgsdQpS8DXigFXcVn2vD9eIdRLoO23r1q3/ebVDT5+apo/NYFTs9/CmoYofQqV7oQFyP"
    "wh5Hu7/5ngT/Lv7nVLwKmb1tgQb1zQ9f9dwzZR29Ilrj9KVPFj4hV7Rb9Rn47ufcIfC+6o"
    "fP9IDUWK1OgNPYk2WjVtTMMllIMlpLhoYjs9S282M/QHqvVs8dlRS9Bfv9wYdCklwyNdaQ"
    "/2J2g9KcwAW0UYXmAyUYs4TwITLmBnfYQvIVNGuQmWEvHeRkyLzfYidmCuT46xldIaR+5r"
    "nJkXKxZb3J6KqduG4U25zCJTOPyMfCTlOsyn2rfW5/Z5pyWddbtf2tefTj1LW7rTdTBRxg"
    "N+2Txvd9r9f0m91m2r963Zb3evT+fGtQSTihkPFJ834L3WTbPdA8p/foUpdgp9NqOqIbl4"
    "hPs8jUQ+bKSQyIeNRImMVcsNNzHYoj39j9vudbyAnjOEZbQqW+T/iKaaEeM4L+lc+6+RzW"
    "XEmtzZqmap3NzD9/13bfMyGwEKiGsP9J2r5p/h/jjvdM/CchgfcAadUxC5egFj1bCmjMf6"
    "177apTJVCdKtEqjJHfECEbYW/25bEqowDp74P4Od7NGX0Ew+2N9P4+Ht7ye7eFgXtJRh3s"
    "CskTIN3gDPs8awO0ILg3MOgzgiT8MYRwG+1A2mjvkX9hQxbEKoxorD14Xxb28UeaWLJhr0"
    "cS5Pg4MLIIAPZ5YAASyhfq99DmAnq6oF6PJE1RR4VBT2M5fz8kuPacKEeluIB+Y/RmRj7L"
    "AsGH2FR7xC4ZoIzzrNnUvXgI8zduZ1S02dkZ8qxUoCehTIS0Rse490Z4wDLGSi24ZJYLIR"
    "TZfBi7uzTZUzExxAdcrIzvAMIEafHX354S65ZzNwC+MWEvJ9wYAPap8/n15dDWrEYr+sU/"
    "BBRUzBUT/kUbc1hSgGHZO+bli6arK/meRr/xwI+AOMZbTSoTPBPyWPVNPeyfD2+wEHR9Vm"
    "L/VS47RksikSqx8L5IU+0wxZv29Y2XxrDI2+JMKSb2RlPUDXrlqtfvv6k9Trdq9OyZQx8N"
    "fHkqHr0wFvfr1o97u99leoobaiWrqh2lOMoJy3bjDE4nIZTGbigS7fp39B4fgJ/jpvXvdb"
    "LY9OptxizKHaZpxl0b0YoFCwARnmj5+nyF1bmDkk0xloYStmdSzRZ/Kz5OP2bxvjXBx/n9"
    "BnTDElL6gcY5HqusYoT9AAEeYQxmCkaOsCeV6y2UjgWbfbCUQCz9r90BD+enXW6u0ciJEN"
    "RKrjR0Wx18FkkzAlI4vUCDCVUGwcpZAaR4lC4ygsMwRclp4ZYYelwncVvuAGqQ8xls1Sub"
    "Fg2qC88Ez3VysuRpqeLXlhzrC5YVxb19rMupNu2E9bnU1j44XJi2MBpmqBLJcFMn+nOPEc"
    "I1uYPMhUxclXxsldwHIIlKcMSRYM3rQh8uDACsTIoQnk+munky5G7mYIvDD+21vkGZQD77"
    "VGgMXQjIn+ekM2OfJrexQpor5TNr1jBtFHIrn6zjYYtffI0Mm/HmKSNZZ/Z+f61E3KJjtY"
    "wqllG1Qj9+xpN5otlONzi7bQ/tYTqZ3OymLULThKF+LOP2JUhbTXm0xduX6bcf0WiVbZbO"
    "EIXxUDXW0PB7PaNpk7UjSg01rGkWH2ggQS14KT3AV3NS5dNYuZ7F/eL4md7JcMmJ8raSq/"
    "zyGbpKdrr3irxXKc3EzvF6L0zXlKScfSfIsEbi14IVLexoxbeFRZx9Sm/fhXCRI1TVCYLM"
    "ZqedvBjoB5Z4BN/MKUyfIhtO5wkFB3CSEhTxUuDwtJhke2MjbU5Uzs9MIYjg5/Izsm2Ynn"
    "Eegt3GlvTSiHMgyFi4UDYurOxjAR6TGlR9WaiHcOIzGinJ8/4KpJKKb0iTFBYKQYT3howJ"
    "1uTeanBpjJe/W9qJlAqNqsv80YkzdIn7W5z+VdV0Akj119t/3m5eUpgS8YjQb8onXTlz63"
    "mhenBNwSS5owqgz4ZacF3FfN6+anVg8aojFmSW5AH3h67W9YLOSwMd/Zd9G+vWn2zz9jlb"
    "u5T1HNGbXkiY/qe7f3xUfxqBv3WDvfSdi8uGr79xCKkz8G3C0Wv8KzeTs5bEKiZZqBPo4q"
    "sLA6sODJxM2sshUN3LTBBN+gCoQRzpu3582L1rIowjotBs/1izEYfF5hsr3w4CMqz0bJt6"
    "5bxelLWVYY5gylW73JPydHzKIs4M4ZqvWbFOs3JqNxsYvbKdW0RMEwZyqTwj9sfDieSwb8"
    "sUwo3F41O53oEo3KJTwbQpWzrogFGatVsQyrYsJcz7gi5uepksNWL4YJvDZntRYM3dQrYP"
    "5hVaWGvapYYNe27vRfV8w06TjWvg8SLLXydUEqTX206zT2f4BpQy1btIGzX5ZELYtNZ/h/"
    "DUh/+J0pl/KvTA7CmTp+Kz7CH43G4eGHxv7h8cnR+w8fjk7256I0WrVMpp61P6FYDei0dJ"
    "lgsapseSpYvCarDN44gzf51NLVgdDXcIJprd/6s38q9u8POP593uxdOL9lkJIDftXsfbno"
    "fr8+JVNq3Cv6I0e6q5tOs9+SPOKpcFElhwMLpa83eAwhbrsFUWvPFNeD3b6DCK+zMm7Z8L"
    "FsfsPG+jXnxrZmbPCQ2rCNUqSYxx8Hacb0HwfJgxrrQn75XKU/R1AtuDe462vGuLeTPYu8"
    "umldX4hzGF3+Ab9tXYMEM2GG4kqOs4hDledIm5MUHXOS2C0n0aNthWEV0y2J9pGfZXPRkv"
    "31Wkk5bjwPmqsRXJcfHBzDXp0iXLhThP0djgcCMUW6y6Q3Aky5aI9C2bgHjTRiCqiS9Ucj"
    "IqpczGxuqTHR8+XTKsybw5wqWAeUaUrJBkPcnyE+g5yV5Cx0N6M59Iw+9rFV07jI/atR05"
    "KYYcSd7tAHOydBVAe4yqAbl/Vp68/+ch923qWd7vUnjzzs2Bbm/O1AevySew289PkU9xqY"
    "HmmuAecfNd959ib7Gcnl/OG2YB6KVJis4nGQGSPNbyXMvLZUFOycCKqrFvN/btY5fR1L+c"
    "kJs/EwrjtJdosOSv5ZpnPxkAFgP08ZFN1aI1WyPo3fu5psSvhYygDvJuyI8JBWnuWGBTkr"
    "K73IVjre0smz5SP6WMowr9a9nGewKX7ZcyZSiLWaSUWeSYAA1Z4ZuArzVj1d5J4OuYZpF8"
    "6CXGVyT3JbPvNu3csEbJCpwnV1+qsv+PHC/NfybfOvh3Jgg6Mrfu9WnHDIAdySb4kLCcTM"
    "p+usM5LpjeuYIKZvyCfHL30zbM2pstAGTcWrI16SEFuFKV8YphTQRGAt0UUob+WS2deTsB"
    "aZPvnlqzVvbnrdb62LU+/uZgW77B+t8z6WGex/mGwxkUd7fd7qdLBQRhQ0DUubt7ftT9eC"
    "2z0lZ8Db1xI88hMMjdtTonIJnooWuQnP6F7ddFriwbI+naECeFZmXP6Oe+D8t1inLt0Jhf"
    "E+3ds1TEOTzMieAuAxVW5ykd1kFrcvYUUcJHY7QtWvhepXhVlU1TLdt+5jKcaFEvja0lwo"
    "gWdnx50BmRzCX3CsKYL/+m+U9EVLqBV7B97yLIQFV4n2Y+eRh1Cld74JLeHsqHtONwc5q2"
    "4udDd7R8dJL1jmTHpGZQYWueflCZPvwZWn5v3zpHkMf9Xjhe9x6CvstOd1t5+56usi97XI"
    "w7eN8bOmdoS56usi93V4CSl9QkOArQpwxgQ43RA4ywhtkKtEHmRuwFbHpK0B1PlqXbYje0"
    "Js5csKzT+o5C2fZhq/QaZqAK9MdJqrqCjIVTZOJBsnoM0T0nFixnAO2JbuBqIwusGZmwLb"
    "6oTKVLgmn1AZD+vId2/aC4Et3xVsYXBDaj0FvJ7dWo3bVdI2aOC/4GbB6lazJMwDI3OiI3"
    "Ivgumz7phkZYSH2ooaYyRlGkX4iI4+Ls+kXev5vGI0xaQXe6MsObd44lGkuLrdYKZuGzIj"
    "92xmkZFukB8ie6pOGFd2yd0ToUQDFUrc1MtTMnRNldODxrBOho6CPf3fCdXNiTqyh/VaCN"
    "P1vGXAh576OZ0a7w73D4Ypr3rHsx2c5giQ5jczO1ljf+H5weHC+jzzaM5a5U9v9jYvX5el"
    "PqDAx1Pk3OlnxhxO9tPsoN9P3kK/H5PRvN1ky6IBXqYg/lazLauOXePqzFxZhWyzZdevLJ"
    "iqq1fSX71SbT+ttp8WLFCQZvvptrZIOuZXR5fva7H7JH319eWbJR1KSfNIU148/EhmzJh7"
    "Hx/xJt/bf3ZgeteJSCKEDiAqOCSqgbcCM0Olmmoyk7h71kyyc+MIa+CKuDX5v2LADaapUA"
    "kPUS2TsF+yZuMJUGQxDIgKfzGq7Kb0dhLdlA0eZV8wV2UtVnSy6wKOa/zJX0uW8YyEc7/e"
    "6AnqEV2xHYkmIlif8WT+uLMr55VLZZkIpInrmdMJsv6EEXkCaP7NFDecI6cQOzuqQg52Ye"
    "oAAeZTkaHJfg7JGMw6TnTbIpQrzjXnBpN1QwH+CTUnexE5lvsbBrz1gPemm4xqjhAEkebJ"
    "wDrevo41JqEGW0hEhexQ8VaU8SgAF2Kxji0Y8EcDpOq82hGyu24b3C8gnMGbMcB0b37EV8"
    "Jr4G0T/dF024j/T3HDKhkZ+nTAkRXcnJcK0ziDcPn2jzytwSJEfp6/8yPj2Z7L7uba+Mme"
    "axaaG7mcK5TTiVM4i2EQYNrg5Su1jZgH+VzHVST9hSswSerLXZ1Zpb00l2yl8vo+0YkCWu"
    "QRlEQd/mW8LuQu/KnKE+IeFBgoc85FIJbu/h7Yjf2D90IxaSoH0T8iNKLC1vSeAcdx7aqW"
    "nYF9tH/QGNjHH9jRwD4ZjRT4V2kcgoYcIt2QqCboGto4OiZ4bI1QS6DRQC3KlOtclUEd4v"
    "bMuvtKlYN5D4gNuKNYdw7qpFEnh3XRmMYxeVRhNoGeHdOZ6Wi64cxgD2K2DYVWFAoX2+po"
    "N6GhyTtyMNwjTXz3gOO3w2AgdGQxA4eQSbgOWhQKDTLFXTVCOTuq+yNxdLCnIzVGH6CaYg"
    "uguY4B8BHa68xz4Ff53uyJiGFB4JvV0RN8hzNw/u4MFoEeEO2C/ufwdmy14w1Bs5mKmhYs"
    "hgFvet8AKKKqt8DIQABE45yvEBBA651mkKE7dP3vQctiKHpQmBwwqXVHyTudqHOZ4TESU3"
    "w+mBz4AiimYIeAGFDwG5EYTyJhxotdrOpqyW1eLQmSKe5qgWRNNmco4WJR/tdKUtmK9WqX"
    "4vuS06yLDXD+GcCorKRlhwwl5FoH2cqXa53/QT6W/gycA0wVyqtR3sJJ0sUWGflDnH0nXr"
    "WH/hWs8FYH6hTuQJ0NBqaKdRHwVgJTc683i/IIMJVPQedv0WcFuMI2PbbbyhwpGszlSxwp"
    "GMI55I1s+2ztNr/Tba7cMsZrMZFqf3V9WbBadQgl06Nc50HbVZ7FKmcnTaIFUC1xd1amWi"
    "w7Om6Zebb04Ljclg/LaacVZW2LGao8iZMXbs1SUUEXNFsREtWekTXsGUlMvEqWvsmZV2UI"
    "ODWOjlLIYKBKlMGiLhRzms0yLQI45CVE92A/lYbbX6Lh9iNbcuCNVuy1lsmhHx/L5kM/24"
    "no5Rbk2aoy+/3/iN4Ong=="
)
