"""dlt's rest_api source over the same Spotify endpoints lake ingests: one resource per
dataset and market, playlist tracks resolved from featured playlists, written by the
filesystem destination as gzip JSONL. Usage: dlt_spotify.py API_BASE TOKEN_URL OUT MARKETS"""
import os
import sys

import dlt
from dlt.sources.helpers.rest_client.auth import OAuth2ClientCredentials
from dlt.sources.rest_api import rest_api_source

api_base, token_url, out, markets = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4].split(",")
os.environ["DATA_WRITER__DISABLE_COMPRESSION"] = "false"
os.environ["RUNTIME__LOG_LEVEL"] = "WARNING"

resources = []
for m in markets:
    low = m.lower()
    for name, path, selector in [("new_releases", "browse/new-releases", "albums"),
                                 ("featured_playlists", "browse/featured-playlists", "playlists"),
                                 ("categories", "browse/categories", "categories")]:
        resources.append({
            "name": f"{name}_{low}",
            "endpoint": {"path": path, "params": {"country": m, "limit": 50}, "data_selector": f"{selector}.items",
                         "paginator": {"type": "json_link", "next_url_path": f"{selector}.next"}},
        })
    resources.append({
        "name": f"playlist_tracks_{low}",
        "endpoint": {"path": "playlists/{playlist_id}/tracks",
                     "params": {"market": m, "limit": 100,
                                "playlist_id": {"type": "resolve", "resource": f"featured_playlists_{low}", "field": "id"}},
                     "data_selector": "items", "paginator": {"type": "json_link", "next_url_path": "next"}},
    })

source = rest_api_source({
    "client": {"base_url": api_base + "/",
               "auth": OAuth2ClientCredentials(access_token_url=token_url,
                                               client_id=os.environ["SPOTIFY_CLIENT_ID"],
                                               client_secret=os.environ["SPOTIFY_CLIENT_SECRET"])},
    "resource_defaults": {"write_disposition": "append"},
    "resources": resources,
})
pipeline = dlt.pipeline(pipeline_name="bench_spotify", destination=dlt.destinations.filesystem(bucket_url=out),
                        dataset_name="spotify", pipelines_dir=os.path.join(out, "_pipelines"))
pipeline.run(source, loader_file_format="jsonl")
