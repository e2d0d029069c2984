from arxiv_server.fixtures import *  # noqa: F403
