import Core
import Foundation

/// Articles, drafts, WordPress publishing and the AI writer.
func writerRouteCollections(_ dependencies: APIDependencies) -> [any APIRouteCollection] {
    let articles = ArticleStore(database: dependencies.database)
    let generation = dependencies.generation
    return [
        ArticleRoutes(store: articles),
        DraftRoutes(store: DraftStore(database: dependencies.database, cache: dependencies.cache)),
        PublishRoutes(
            store: articles,
            wordpress: WordPressClient(
                outbound: GuardedHTTPClient(allowedHosts: dependencies.config.outboundAllowedHosts), logger: dependencies.logger),
            reservations: dependencies.reservations),
        WriterRoutes(
            generation: generation,
            generator: ArticleGenerator(generation: generation, articles: articles, reservations: dependencies.reservations),
            logger: dependencies.logger),
    ]
}
