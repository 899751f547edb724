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
        ALTER TABLE "vehicle" ADD "odometer" INT;
        ALTER TABLE "vehicle" ADD "maintenance_due_on" DATE;
        ALTER TABLE "vehicle" ADD "insurance_commercial_until" DATE;
        ALTER TABLE "vehicle" ADD "maintenance_every_months" SMALLINT;
        ALTER TABLE "vehicle" ADD "insurance_compulsory_until" DATE;
        ALTER TABLE "vehicle" ADD "maintenance_every_km" INT;
        ALTER TABLE "vehicle" ADD "maintenance_due_km" INT;
        ALTER TABLE "vehicle" ADD "inspection_due_on" DATE;"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        ALTER TABLE "vehicle" DROP COLUMN "odometer";
        ALTER TABLE "vehicle" DROP COLUMN "maintenance_due_on";
        ALTER TABLE "vehicle" DROP COLUMN "insurance_commercial_until";
        ALTER TABLE "vehicle" DROP COLUMN "maintenance_every_months";
        ALTER TABLE "vehicle" DROP COLUMN "insurance_compulsory_until";
        ALTER TABLE "vehicle" DROP COLUMN "maintenance_every_km";
        ALTER TABLE "vehicle" DROP COLUMN "maintenance_due_km";
        ALTER TABLE "vehicle" DROP COLUMN "inspection_due_on";
        DROP TABLE IF EXISTS "fleet_notice";
        DROP TABLE IF EXISTS "vehicle_downtime";"""


MODELS_STATE = (
    "eJztXe1X2zrS/1d08mXhnJSFUGgvfc5zToBQsgXCDWnv3W3ucYytED9xpNQvUJ7d/u87I9"
    "uJHb/EDk5ijL+0xNLI8k/SzGg0M/p3bcJVqpt7TXWisZaqWbUT8u8akycU/ggX1klNnk7n"
    "RfjAku91UVvGahL16t2bliEr2OBQ1k0Kj1RqKoY2tTTOsH6TGPyJWCNKBCWZyg/UJMpIZg"
    "9UJTuDscbUAXmkI03RgXwoK5quWc91Ytg6JdwAcp2an8hgTJ8HRLNEb1SuwHs19rCWN/TZ"
    "VJctX1WiqVCb/rCpaRHreSqobJMamroLH27wCb6eEc5EN1QZ0JJNSjQTmyOWYVujep/JTC"
    "WMalDFIAOTUugV4/jnM1MG5MnQLOg3f4RSzSI7DvZ/x3p7U+it9xsqw+9dYjPoNfTV4rpK"
    "LA4filXJRfuqRd69Myh8g0Lf4UCZg909RM1mGnyCZPEHin0A7L5/ryE6WAgfX/vrL/gDft"
    "Of1MRS/DkdS0ON6mpgymiCRDyXEA981mbWhaiI43MvKVy3J2xeefpsjTib1daYmD8PlFED"
    "sMbmASacP8zWdXeyeVPK6fi8itNFH41Kh7Kt4yxEaqcD82c1Sbrp9KS7Vk+SaqEZ6lH4pp"
    "T7SOEMZzd01RRf/4BdeNc4eP/h/cfD4/cfoYro5uzJh1/Oq+fAOIQCnpte7Zcoh9nh1BAY"
    "z0H1RiII69lINqJx9eovIAtdXkTWwzEJWu/BHNv5gt4EuBP5p6RT9mCN4OfBcQKS35rds8"
    "tmd+fgeBdfyIH/OKzpxi1piCIE2wcuTO8s2DrVSwjt8fsU0B6/j4UWi4LQAvvnRhZwZwQV"
    "vGngtcLYngM8ljahMfhaEeCqLsme98crhDoB2l77unXXa17fYvMT0/yhC5yavRaWNMTT54"
    "WnO4sMZNYI+aPduyT4k/yrc9MScHLTejDEG+f1ev+qYZ9k2+IS40+SrPox8R57j36hPB2O"
    "fcwfH9zLyvhJNlQpVMIbPK5uuGjSmCw+kRloQqqLJvbT0/SmU4M/ynrXFp8d1gT95cnKoF"
    "tTMryqS/XB3gi1J5UaoKsIxQtUJtkiTkugwgX0rE/wJWRCZWaCpkS8txHTotO9kB6Ya8sR"
    "ulJa5ch9jbPyItlii9kTsXTbML1lptDQEl5sIx9OuQ71qfatddk+u2pJp53Ol/bN5xNP05"
    "buOQcV5aHPLppn7at2759St3XX6n5r9tqdm5OZci3BoqLGo4zt9Vm3ddtsd6Hm719hiZ3A"
    "mE1lzZBcPBbHPA1HPmyk4MiHjViOjEXJipuYbOGR/sdd5yaaQc8IFnm0pljkP0TXzJBynB"
    "d3rv3P0GYKYk3ubU23NGbu4fv+t7Z5no0ABdi1B/rOdfPPxfE4u+qcLvJhbOAUBqcgfPUc"
    "5qphTSiL3F/7ShN5qhqst4yhxg/EC1jYWvZ32+JQhdngif8z6Mle/RKqyQf7+2l2ePv78V"
    "s8LAtqyrBuYNVImSZvgGalOezO0MLgnMMkDvHTRYzDAF9wg2oP7At9Dik2C6hGssPXhfEv"
    "bxZ5T+ddNOSnGT8NTi6AAD6cWgIE0IR63fYZgB0vquagKyNNV6GpMOynLuXFly7VhQr1th"
    "APrH+0yEboYVkw+gpNvELmGgvPOtWdC1eBj1J2ZmWJqs7QXyvFSQLuKJCWCNv2HulMKQNY"
    "yIjbhklgsRGdK7CLu7dNjVETNoDahJKdwSlAjHt23MsPdsmYTmFbGHWQkO8L+qxfu7w8ub"
    "7u14hFf1onsAcVNgVH/JAnbusqUQ35gfS4YXHNpH8zydfeGVRgjzCXUUuHwYT9KXmSdf2d"
    "Am8f9xlsVG360l1qlJSMV0Ui5WOBdqErqiHr3xtWOt8aTaMvsbDka1lZD9C161ar1775LH"
    "U7nesTMqEU9usPksH5pM+aX8/bvU63/RVKZFvVLG5o9gQtKGetWzSxuFQGVaho0KX7/E94"
    "+PAMf501b3qtlldPkZlFqVNrm3aW+fCigULFDmRYP36aIg9tYdaQIk9BClsRp2OxeyY/ST"
    "7b/m1jnMvG38f0KVVNyTMqR2iknOtUZjESIES8gDEoKfq6QJ492awl8LTTuQpYAk/bvYUp"
    "/PX6tNXdORAzGyppzj4qjD0HlU1Cl4wsXCNAVEK2cZSCaxzFMo2jRZ4h4LJ4ZoQdkgrfZf"
    "jCNkh7jNBsEvnGnGiD/MJT3V8tuxjqPJvzwoxgc9O4tq6zmXU73dAftjadRNoL4w/HAkTV"
    "AVkuB2T+QXHsOUY2M3mQqLKTL7WTu4DlYChPaZIsGLxpTeTBiRWwkUMXyM3Xq6t0NnLXQ+"
    "CF9t/u3M+gHHiv1QIspmaE9debsvGWX9urkcLqO6GTe2oQPhTO1fe2QWV7jwwc/+sBOlnj"
    "8z/oGZ+4TtlkB58w2bINWSdj+rwb9hbKsd2iHbS/dUdqZ7CyKHVzitKZuPO3GFUm7fU6U1"
    "dbv81s/eaOVtl04RBdZQNdrg8Hvdo26TtSNKDTasahafYCBxJXg5PcA3ctyl01i5rsP94v"
    "iZ7s5wzonyvpGhvn4E3S5forDrVIxsn19H4hSt+cVko6l2YhEhha8EKkvMCMO2iqrHNq0/"
    "v4VwmSbJogMGmE1vK2jR0B9c4AnfiFLpPlQ2jd5iAh7mJMQp4oTDYLSYZXbaltqMOoiPRC"
    "Gw6Hv5EcnexEewRGCyPtrZHM4BmawsXBATG5ExgmLD2m9KRZI/HOQchGlHP7faaZREaXPj"
    "EnCMwU4xmTBtxzazTLGmDGx+p7VjOBUBWsv00bkzdJVwruc2nXZRDJI6rvrte8uDgh8AXD"
    "YZ+dt2570mWreX5CYFtiSSMqq312cdUC6uvmTfNzqwsd0Sm1JNegDzTd9jd8LPiwMYvsO2"
    "/f3TZ7Z5dY5Ab3qZo5lS1l5Kv1R6f7xVfjiRtjLJ1FEjbPr9v+GEKR+aPP3Mfi1+Jq3o4P"
    "m+BomVagj6IyLCw3LHg8cTOnbEUDN60xwTepAmaEs+bdWfO8lWRFWKfG4G39IhQG364wXl"
    "949FUqT6DkW5etIvtSlhOGGUHpTm/y98kRqygLuDOC6vwmxfmNSeUo28XdRNb1WMYwIyqT"
    "wD9sfDiecQb8kcQU7q6bV1fhIxqNSZgbQlOynogFCatTsQz+0yqfgHIQoVPFTl8/SeUaFo"
    "Z0gi1ThgqopIKiwSOsUpjRKc71Loo6KbvT60M8AU5M1rQEz3GEr3+CJ2MUcTVtk6cthS38"
    "8+pA+8krqNNAPeHMGmVWJJLaKRHu+agWpm0IoBQ+mdq6yQEtm1lahHIcz5yTW3nLTDqAzI"
    "QaiibrL8Q31Mobx3dKRZzCCjpFJPFbRtMxUmf0A/PTlIi7rs0FTOC1OVttwdBN7ffln1ZV"
    "QMR6fQT4E0Mel48H07nb2iu02WzFX6BjW/f85zU1Tfkh8gwgWKGedBLARVVp4qu7zgOB7z"
    "VgUpYt+sDoT0uSLYtOpvh/Dap+9x+4uDX/ynSIcKo9vJVzhN8ajcPDD439w+OPR+8/fDj6"
    "uD8TPOGiJAl02v6MQqjut3ulixaJFPzJ4SLRcr8yikcZxeNvNljuLPEabjmo9Vp/9k5Ejq"
    "8+w7/Pmt1z57cCXLLPrpvdL+edP25OyEQ2xih1sN717RVoopJXeSKOsSSHAh9KX29RVcXU"
    "PMBq7amniG//EAleZ2UM6/aRbD6oezv7jLWEb2/wIotFja5I56K/HaSZ078dxE9qLFs4u5"
    "uJ9FUY1Zx6g5khppR52a6y8Kvb1s25yNXu0vfZXesGOJgJKxS9vRxHL1ldhdt8TDEwH2OH"
    "5WP4+guhWEUMS6x+5CfZ3Inq/nq1pByTUwXV1RCuyZeLRJBXN40U7qYR/4Bj0lCqSveZ5E"
    "aAKBfpUSgd96CRhk1BrXj50QixKhezBCN3/LJapM1hTRVsAMq0pBSDIu4rsM8gZcU5Cz3M"
    "qA6tMMY+smoZF3l8ddm0JGoYURngeqDnxLDqAFUZZGPSmLb+7CXvYWdDetW5+exVX9zYLu"
    "Rtls1xRpObj2RNiG9xM7sOZQSWyRReigfnaiZn6hBhGWZ4EPDGUZqEnVArFnBRVpiLpwJx"
    "4RHnKItx4yku9DO9qrmeonyv+S5yM+mPUBDjd7cHM/u6ShUN70HIeHzyVs5O1haDgYMTQn"
    "WZF/uPzVpcXoejWXykaAz/XXN06Bb5bv7hlTP2kAFgP035ZFvO5lfhdhd10hOvH/tIygDv"
    "ppVjnJ7qSraFIGW19Szy1lMZyYxlC8TzkZRhXa37jNqgE/yyVRbSAmm1koq8kgABWV/RGr"
    "tIW410kUd6YWuY9jQ4SFWm7UluZ8LedfOZgA0SVbgu94D3GT9e6AJfvvx29QU3+ODsik5a"
    "EsUccgC35LlgFhhi5rSy67RkevM6wojpm/Lx9kvfCluz/zf0QdfwzsSXeHlXZsoXmikFNC"
    "FYS3QD6LfWZfvsqiWddjpfhMeem/JIwquKhefeLCcarN1W91sTr/7El7uZ0UD/osajCGCZ"
    "ZVfrtn7/Cgt9ll7Nt2q2b9IruhdmaPnk54TZvL3tdr61zk+Iy6NVHLJ/tM56+Myg/0cViw"
    "rn8Juz1tUVPlQQBV3Hp827u/bnG0Htpofts/aNBE1+hqlxd0I0JkGrqJGb0Ebn+vaqJRrG"
    "0GUUACu5e+a/cQ8kPo/c1KVLzR+9p3u7iunCIjOy+7V4RNU2ucjbZBoVbLPEDhIZY1ONa6"
    "HGVaWWrOkRkjE+6MZHUoybFPG1pblJES+NigodjjfhzylK58SUvyIIQERe/p7shTCnKlFK"
    "hjz8ECqf5TchJZww0VWGOUhZDXOhh9nLmS694Jgzro1KDSzyyCsjqoxhKy+b49W4eQR9Ne"
    "KFH3EYKxy01YbbT1yNdZHHWgSX2MbDSks7RFyNdZHHevEIKb1DQ4CsMnBGGDhdEzjNCG2Q"
    "qkQ7yNyArTIlrgHU2WldtqC4BbLyeYXmb1Tyjk8zzd8gUTWBlzo6zURUGOTKGyfkjROQ5j"
    "HuOBFzOAdsS3f17iK6wZWbAtsqSW0qXOOT1EbDOvRdGP5CYMt39/giuAtiPQW8nt5azdtl"
    "3Dao4Gf2ffR7UFTXeUdjHpiZI47IvQimS+6oZGWER7ZVLUJJyjSLsIkr/lCeRbvWpNNiNk"
    "W4F3uzLN63eOTVWHovdZMY1OS2oVAyplOLDLlBvgvvqTqhTN0l989EJjqIUOK6Xp6Qgauq"
    "nBw0BnUycATsyf+PZG6OtKE9qNcWMF3PW/ps4Imfk4nx7nD/YBB3H3XIJdrrjgBJsaBp/M"
    "vxGvsLk2IvPqzPPI9mpJX/9GavsfYNWeoEBT6aIvtOr2hz+LifJoJ+Pz6Efj/Co3m7zpZF"
    "A7xMRvyteltWA7vG05mZsFrQzZLuHZ0TVXeOpr9ztAo/rcJPC2YoSBN+uq0QSUf9uuLKuB"
    "YZJ+krrycHSzo1Jd2runRn02GwmeBPZEqN2e7jE+GM3P1+Bcu7ToQTIQwA0WBDohmmRdDn"
    "WdY1k5rEjVkzyc6tw6yBKrStyf8VfWZQXYNCaESzTEJ/KrqNGaDIfBoQDf6isrqbcrcTu0"
    "3Z4P0MBduqrEWLjt+6wMY1OvNXwjGeEZP3641eCxCSFdvhaMKCdYnXTUTlrpwVJvIyYUiT"
    "Rl69pYysN6JEGQGaf0O2QAlSCrazo6nkYBeWDlRAfyoyMOmPAXkAtY4RbltEZioUyhYwJ4"
    "UbKtCPZHO0F+Jjub+hz1p4pS9wO1l3mCCwNI8H1onJRYlJZIPOOaJKdmTxVuTxyADnbLGO"
    "PeizJwO46qzYYbK7bh/cLyAMLxNGA9PY/ISvhNfA20b8yXT7iP9PMGCVDA0+6TMkhW3OS5"
    "lplEKYHP6RpzZYBMvP6pEfGXN7Jl04t/HMnmtmmhu5cW7BpxOXcBbFIEC0wRuFahtRD/K5"
    "Y65I8gtPYOLEl3s6s0x66W61pcLrjxEnKkiRJxASdfiXsrrgu/CnpoyImygw8MzJi0As7v"
    "7u2439g/dCMOkaA9Y/JHJIhK3pPX2G89oVLTt9+2j/oNG3jz/Qo779cThU4V+1cQgScoD1"
    "BkQzQdbIjaNjgmlrhFgCiQZiUZEZZ5oC4hDDM+vuKzUG6j0g1meOYN05qJNGnRzWRWcax+"
    "RJg9UEcvZBnpqOpBtMDfooVttASEUhcLGvjnQTEpq8IweDPdLEd/cZfjtMBiIPLWrgFDIJ"
    "4yBF4aFBJhhVI4SzI7o/EUcGezJSp/IjFMvYA+iuowB8gv466xzoNbY3fSZiWhD4Zm34DN"
    "/hTJy/O5NFoAeVdkH+M3g79trZDUG3qYaSFjSGPmt63wAooqi3QMlAAETnnK8QEEDvnW6Q"
    "gTt1/e9BzWIgRlCoHLCouSPknUHkTKGYRmKC7YPKgS+AxzLoIcAGVPxGrIyZSKjx4i1WdV"
    "/qNu9LBc4UdV9GvCSbEZTwsCj/u1JlxYrc1Sbi+5Js1sUGOH8PYBRWUlKSoRhf6yBZ+Xyt"
    "80/kY/EVcA4QVSgvR3kLmaSLzTLyhzh7JF4VQ/8KTnirhDqFS6izQcNUsW633opharbrzS"
    "I8AkTlE9D5a/RZAa6wTY/ttjxHigZz+RxHCoZwDn4j286t3Wb33GbqHaWsFmGp9hfXk4zV"
    "mlNRMr2a60y0XflZLNvspHG0gFoJ252lrhZJqeOS1LPExHG5HR+WU08ryNmWGyF8zp+Y2L"
    "FGMI7FKonMwwvIVf21UwTUuHTCP4IPxUmCptBAzIsNDeq7J+RpxIkpayoxOR4JPdfF+YYo"
    "FWdYYVeN/JtPEy4TjE12w2Sq8JdNhr+MtSjv/XSZ5j3aIlvQak7Cfy/Rf59dNwGU1g3mjz"
    "8Rx4wWZfh1fXbX69zeYjZ40+LTaVFywYMAMbOdhswpSuc00dhPI+uhVvy11ftVcNJbsnAK"
    "qZR1cGdEVfa4Io8tXTHrq5+uGuHij/B9pn2un6YyIC43IHpb1GwoB6mKrAEWDugq/Xyped"
    "a28usVbUzXbJHfRgq4okGc1iSfKgfcdqxrFzql1g23NCXSsuYvridZ1YZYEdbkrOZSi9od"
    "n1D00X0gFtdVx4EXI4WcmwCMOpGJosvmaPdEOAqP6XMdHwCDVTGvjMZMarhBmGF7Wt6NV8"
    "cELz4maKQ6JmgkHBM0XnRMUIn4Vy3iC3Ia0aSGpoyiWKVbksgl5XmdrRxZVib8NZjwY8PA"
    "45l8fBx4GbZujaOjNFbio6N4KzGWLXjATqdZEHarlxDdg1Q2+IMEG/xB2AYPb7RoVLLseE"
    "dUH8nmHVG3IyhzczndqjD79V9D+NFy"
)
