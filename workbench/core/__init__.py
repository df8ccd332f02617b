"""The shared spine's vocabulary: findings, money, access (roles and scopes) and domains."""
