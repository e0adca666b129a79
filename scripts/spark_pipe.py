"""Build the graph of a corpus on a Spark cluster: each partition of JSONL records is piped
through `kgsmith extract - -o -`, which writes one partial graph per partition; the partials are
then merged on one machine with `kgsmith merge`.

    spark-submit scripts/spark_pipe.py hdfs:///news/*.jsonl hdfs:///kg/partials
    hdfs dfs -get /kg/partials partials && kgsmith merge partials/part-* -o out

`kgsmith` and the rules directory must be on every worker (e.g. --files, or an image).
"""
import sys

from pyspark.sql import SparkSession

source, target = sys.argv[1], sys.argv[2]
spark = SparkSession.builder.appName("kgsmith-extract").getOrCreate()
records = spark.sparkContext.textFile(source)  # one JSON object per line
partials = records.pipe("kgsmith extract - -o - -q -j 1 -r rules")
partials.saveAsTextFile(target)  # one part file per partition, each a complete partial graph
