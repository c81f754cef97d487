"""Projects: a vocabulary, a language and a trained backend, saved atomically with a manifest."""

from unbis.project.project import Project, ProjectConfig, Suggestion, default_project, train_project

__all__ = ["Project", "ProjectConfig", "Suggestion", "default_project", "train_project"]
