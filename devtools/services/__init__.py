"""Local Kafka and Elasticsearch without Docker: fetch, start, check and stop them (`yuqing services`).

Layout on disk (see `ServicesSettings`):

    <home>/                      download cache shared by every checkout (YUQING_HOME)
        m2/                      Maven local repository (Kafka's jars are resolved with Maven)
        kafka-<ver>/libs/        Kafka's server jars and a logging binding
        downloads/               Elasticsearch's integ-test zip, checked against Maven's sha1
        elasticsearch-<ver>/     the unpacked distribution
    <state_dir>/                 data and logs of one set of services (default <repo>/var)
        run/                     pid files and the lock that serialises `up` and `down`
        logs/                    kafka/server.log, kafka.out, elasticsearch.out, elasticsearch/ (ES's own)
        kafka/                   server.properties, log4j2.properties, data/, libs/
        elasticsearch/           config/, data/, logs/, tmp/, dist/

Started by root, both run as one dedicated non-root user and own their folders (services/user.py).
"""
